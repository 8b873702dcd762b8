# DSRN = DepthSR-Net (Guo et al., IEEE TIP 2019): residual U-Net (4 levels, 64-512 features)
# with input and guidance pyramids; predicts the residual to the bicubic LR (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: first-level width 16 instead of 64 (16-128 features instead of 64-512); paper
# size is far below the ~3 it/s that the 800-iteration schedule needs on 2 cores.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DSRN', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=16, n_levels=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
