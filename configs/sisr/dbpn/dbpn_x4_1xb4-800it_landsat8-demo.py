# D-DBPN (Haris et al., CVPR 2018): n0=256, nR=64, T=7 dense back-projection stages; projection
# kernel/stride/padding 6/2/2 (x2), 8/4/2 (x4), 12/8/2 (x8); no image-level skip.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# Paper size: about 0.7 s per training step on 2 CPU cores, so the 800-iteration schedule takes
# roughly 12-15 minutes (the smaller DBPN-S is feat_channels=128, base_channels=32, num_stages=2).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DBPN', scale=scale, in_channels=1,
                   feat_channels=256, base_channels=64, num_stages=7),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
