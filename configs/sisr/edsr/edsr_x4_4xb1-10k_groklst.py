# EDSR baseline (Lim et al., CVPRW 2017): 16 residual blocks, 64 features, residual scale 1
# (the large EDSR is n_resblocks=32, n_feats=256, res_scale=0.1); no image-level skip.
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='EDSR', scale=scale, in_channels=1,
                   n_feats=64, n_resblocks=16, res_scale=1.0),
    loss=dict(type='MaskedL1Loss'))
