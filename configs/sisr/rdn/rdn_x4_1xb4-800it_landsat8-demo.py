# RDN on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized variant: D=4 blocks of C=4 layers (paper: 16 x 8), same architecture otherwise;
# the paper size needs about 1 s/iteration on 2 CPU cores, too slow for the
# 800-iteration demo schedule.
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='RDN', n_blocks=4, n_layers=4))
