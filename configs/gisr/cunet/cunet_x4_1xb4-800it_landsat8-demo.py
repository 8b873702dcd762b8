# CU-Net on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: 16 atoms of 5x5 and 2 LISTA iterations instead of 64 of 9x9 and 4 (paper size
# is far below the ~3 it/s that the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='CUNet', n_filters=16, kernel_size=5, n_iters=2))
