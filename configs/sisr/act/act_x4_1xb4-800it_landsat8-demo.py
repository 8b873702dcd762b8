# ACT on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: the paper's ACT (46M parameters) is far too slow for the 2-core demo schedule;
# same architecture with C=32 and four RCABs per group.
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='ACT', n_feats=32, n_resblocks=4))
