# SUFT on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: the paper network (22 M parameters, 128-channel residual groups at HR) costs
# ~600 GFLOP per step of 4 x 64 x 64; here F = 8 features (8..32 in the trunk), 2 RCABs per
# trunk group and one HR group of 2 RCABs (~11 GFLOP).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic',
             generator=dict(type='SUFT', num_feats=8, n_resblocks=2, n_tail_groups=1,
                            n_tail_blocks=2, reduction=4))
