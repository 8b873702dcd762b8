# SRCNN on the Landsat-8 demo at x4; paper and settings: README.md.
# Paper size: small enough for the 800-iteration CPU schedule on 2 cores (a few minutes).
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='SRCNN'))
