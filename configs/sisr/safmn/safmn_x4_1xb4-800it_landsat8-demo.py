# SAFMN on the Landsat-8 demo at x4; paper and settings: README.md.
# Paper-size model (it fits the 2-core demo schedule).
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='SAFMN'))
