# D-DBPN on the Landsat-8 demo at x4; paper and settings: README.md.
# Paper size: about 0.7 s per training step on 2 CPU cores, so the 800-iteration schedule takes
# roughly 12-15 minutes (the smaller DBPN-S is feat_channels=128, base_channels=32, num_stages=2).
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='DBPN'))
