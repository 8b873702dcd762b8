# SVLRM on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: width 32 instead of the paper's 64 (the paper size trains at ~1.2 it/s on
# 2 cores); the 12 layers are kept.
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='SVLRM', channels=32))
