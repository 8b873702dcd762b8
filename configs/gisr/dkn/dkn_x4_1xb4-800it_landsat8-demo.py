# DKN (Kim, Ponce and Ham, "Deformable Kernel Networks for Joint Image Filtering", IJCV 2021):
# guidance and bicubic-LST branches of 7 convs (widths 32/64/128, dense via dilation) predict
# weights and offsets of 3x3 deformable samples per HR pixel (paper size). Residual form:
# zero-mean weights, the Downscaler adds the bicubic LST (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: the paper widths (32, 64, 128) at full HR resolution cost ~165 GFLOP per step
# (< 0.2 it/s on 2 cores); the kernel networks are narrowed to widths (8, 16, 16), ~6 GFLOP.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DKN', scale=scale, guidance_channels={{_base_.num_guidance}},
                   kernel_size=3, widths=(8, 16, 16), residual=True),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
