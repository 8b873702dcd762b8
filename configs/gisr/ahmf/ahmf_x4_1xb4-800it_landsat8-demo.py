# AHMF on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: 64 features cost ~33 GFLOP per step of 4 x 64 x 64 (< 1 it/s on 2 cores); the
# width is halved to 32 features (~8 GFLOP), depth and structure unchanged.
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic', generator=dict(type='AHMF', num_feats=32))
