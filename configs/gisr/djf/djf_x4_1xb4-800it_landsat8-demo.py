# DJF on the Landsat-8 demo at x4; paper and settings: README.md.
# Paper size: ~3 it/s on 2 cores (CPU-time estimate taken under load).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='DJF'))
