# D-DBPN (Haris et al., CVPR 2018): n0=256, nR=64, T=7 dense back-projection stages; projection
# kernel/stride/padding 6/2/2 (x2), 8/4/2 (x4), 12/8/2 (x8); no image-level skip.
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DBPN', scale=scale, in_channels=1,
                   feat_channels=256, base_channels=64, num_stages=7),
    loss=dict(type='MaskedL1Loss'))
