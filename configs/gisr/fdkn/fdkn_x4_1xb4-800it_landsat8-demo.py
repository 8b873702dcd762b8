# FDKN (Kim, Ponce and Ham, "Deformable Kernel Networks for Joint Image Filtering", IJCV 2021):
# DKN with the kernels predicted at LR from space-to-depth inputs (6 convs, widths 32/64/128)
# and pixel-shuffled to HR; 3x3 deformable samples (paper size). Residual form: zero-mean
# weights, the Downscaler adds the bicubic LST (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# Paper size: ~4.4 GFLOP per step of 4 x 64 x 64, fast enough for the CPU schedule.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='FDKN', scale=scale, guidance_channels={{_base_.num_guidance}},
                   kernel_size=3, widths=(32, 64, 128), residual=True),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
