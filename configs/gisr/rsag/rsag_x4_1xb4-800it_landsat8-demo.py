# RSAG (Yuan et al., AAAI 2023): recurrent structure attention guidance, 16 features, 30 CBAM
# blocks per decoder step (x2 is an extension, see the class); residual to the bicubic LR.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: 2 CBAM blocks per decoder step instead of 30 (paper size is far below the
# ~3 it/s that the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='RSAG', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=16, n_blocks=2),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
