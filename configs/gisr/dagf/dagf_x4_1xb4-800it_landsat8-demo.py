# DAGF on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: 16 features and 1 residual unit per level instead of 32 and 2 (paper size is
# far below the ~3 it/s that the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic', generator=dict(type='DAGF', n_feats=16, n_res=1))
