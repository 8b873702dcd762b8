# DJFR (Li et al., "Joint Image Filtering with Deep Convolutional Networks", TPAMI 2019): the
# DJF networks with residual learning: the Downscaler adds the bicubic LR (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4 of 64x64 HR patches, 800 iterations on CPU; best
# checkpoint on val.
# Paper size: ~3 it/s on 2 cores (CPU-time estimate taken under load).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DJFR', scale=scale, guidance_channels={{_base_.num_guidance}},
                   branch_channels=(96, 48, 1), branch_kernels=(9, 1, 5),
                   fusion_channels=(64, 32), fusion_kernels=(9, 1, 5)),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
