# FDSR on the Landsat-8 demo at x4; paper and settings: README.md.
# Paper size: ~4.5 GFLOP per step of 4 x 64 x 64, fast enough for the CPU schedule.
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic', generator=dict(type='FDSR'))
