# PixTransform on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: wide layer 512 instead of the paper's 2048 (the paper size trains at
# ~0.9 it/s on 2 cores); hidden width 32 and the pixel-wise layout are kept.
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None, generator=dict(type='PixTransformNet', width=512))
