# HAN on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized variant: 5 groups x 10 RCABs (paper: 10 x 20), same architecture otherwise;
# the paper size needs about 1 s/iteration on 2 CPU cores, too slow for the
# 800-iteration demo schedule.
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='HAN', n_resgroups=5, n_resblocks=10))
