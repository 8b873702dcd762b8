# HAN (Niu et al., ECCV 2020): 10 residual groups x 20 RCABs, 64 features, reduction 16, layer
# attention over the 11 trunk outputs and channel-spatial attention; no image-level skip.
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='HAN', scale=scale, in_channels=1,
                   n_feats=64, n_resgroups=10, n_resblocks=20, reduction=16),
    loss=dict(type='MaskedL1Loss'))
