# EGASR on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: the paper's EGASR (10 groups x 16 blocks, 29M parameters) is far too slow for
# the 2-core demo schedule; same architecture with C=32 and 4 groups of 4 EGRABs.
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bilinear',
             generator=dict(type='EGASR', n_feats=32, n_resgroups=4, n_resblocks=4))
