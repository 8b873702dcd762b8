# SVLRM (Pan et al., "Spatially Variant Linear Representation Models for Joint Filtering",
# CVPR 2019): a 12-layer CNN predicts per-pixel coefficients, LST = sum_k alpha_k G_k + beta
# (residual=None).
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4 of 64x64 HR patches, 800 iterations on CPU; best
# checkpoint on val.
# CPU-sized: width 32 instead of the paper's 64 (the paper size trains at ~1.2 it/s on
# 2 cores); the 12 layers are kept.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SVLRM', scale=scale, guidance_channels={{_base_.num_guidance}},
                   channels=32, num_layers=12),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
