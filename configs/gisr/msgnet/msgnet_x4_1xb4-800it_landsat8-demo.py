# MSG-Net (Hui et al., "Depth Map Super-Resolution by Deep Multi-Scale Guidance", ECCV 2016):
# high-frequency main branch with multi-scale guidance features; the network adds the Gaussian
# low-pass of the bicubic LR itself (residual=None).
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4 of 64x64 HR patches, 800 iterations on CPU; best
# checkpoint on val.
# CPU-sized: widths halved (channels 16, LST stem 32, guidance stem 24 instead of
# 32/64/49; the paper size trains at ~2 it/s on 2 cores); depth and layout as the paper.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='MSGNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   channels=16, lst_stem_channels=32, guide_stem_channels=24,
                   blur_kernel=15, blur_sigma=5.0),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
