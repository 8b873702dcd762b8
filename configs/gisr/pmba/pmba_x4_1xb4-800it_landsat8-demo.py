# PMBA-Net (Ye et al., IEEE TIP 2020): log2(s)+1 multi-branch aggregation stages (64 features,
# 4 back-projection units each, 256-wide heads); predicts the HR LST (residual=None).
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: 16 features, 32-wide heads and 2 back-projection units per stage instead of
# 64/256/4 (paper size is far below the ~3 it/s the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='PMBANet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=16, guide_feats=32, n_units=2),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
