# SRFBN on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized variant: the paper's own SRFBN-S (m=32, G=3, T=4), same architecture otherwise;
# the paper size needs about 1 s/iteration on 2 CPU cores, too slow for the
# 800-iteration demo schedule.
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bilinear', generator=dict(type='SRFBN', num_features=32, num_groups=3))
