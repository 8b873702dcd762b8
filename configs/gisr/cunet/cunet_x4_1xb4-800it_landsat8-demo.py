# CU-Net (Deng & Dragotti, TPAMI 2020): unique/common convolutional sparse codes by unfolded
# LISTA (64 atoms of 9x9, 4 iterations per module); predicts the HR LST (residual=None).
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: 16 atoms of 5x5 and 2 LISTA iterations instead of 64 of 9x9 and 4 (paper size
# is far below the ~3 it/s that the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='CUNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_filters=16, kernel_size=5, n_iters=2),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
