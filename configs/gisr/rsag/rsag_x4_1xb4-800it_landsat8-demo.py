# RSAG on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: 2 CBAM blocks per decoder step instead of 30 (paper size is far below the
# ~3 it/s that the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic', generator=dict(type='RSAG', n_blocks=2))
