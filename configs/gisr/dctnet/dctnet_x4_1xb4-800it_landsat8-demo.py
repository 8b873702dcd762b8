# DCTNet on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: 16 features (8 shared) and 2 coupled layers instead of 64/32/4 (paper size ran at
# ~0.2 it/s on 2 shared cores, far below the ~3 it/s the 800-iteration schedule needs).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='DCTNet', n_feats=16, n_shared=8, n_layers=2))
