# PixTransform (de Lutio et al., "Guided Super-Resolution as Pixel-to-Pixel Transformation",
# ICCV 2019), supervised variant: the paper's pixel-wise network (hidden 32, width 2048) with the
# bicubic LR LST in its spatial branch, trained on the training split (residual=None). The
# paper's per-image fit is configs/classic/pixtransform-fit_*.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4 of 64x64 HR patches, 800 iterations on CPU; best
# checkpoint on val.
# CPU-sized: wide layer 512 instead of the paper's 2048 (the paper size trains at
# ~0.9 it/s on 2 cores); hidden width 32 and the pixel-wise layout are kept.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='PixTransformNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   hidden=32, width=512, kernel_size=1),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
