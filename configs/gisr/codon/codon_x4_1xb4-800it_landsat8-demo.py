# CODON on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: the paper network runs all its 64/128-channel 5x5 convs at HR (~730 GFLOP per
# step of 4 x 64 x 64); here 8 features, 3 cross-domain and 2 fusion rounds (~7 GFLOP).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic',
             generator=dict(type='CODON', num_feats=8, n_cross=3, n_fuse=2, reduction=4))
