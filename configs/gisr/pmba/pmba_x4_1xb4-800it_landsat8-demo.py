# PMBA-Net on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: 16 features, 32-wide heads and 2 back-projection units per stage instead of
# 64/256/4 (paper size is far below the ~3 it/s the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='PMBANet', n_feats=16, guide_feats=32, n_units=2))
