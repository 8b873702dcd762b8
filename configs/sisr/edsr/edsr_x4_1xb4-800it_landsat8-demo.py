# EDSR baseline (Lim et al., CVPRW 2017): 16 residual blocks, 64 features, residual scale 1
# (the large EDSR is n_resblocks=32, n_feats=256, res_scale=0.1); no image-level skip.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# Paper size: small enough for the 800-iteration CPU schedule on 2 cores (a few minutes).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='EDSR', scale=scale, in_channels=1,
                   n_feats=64, n_resblocks=16, res_scale=1.0),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
