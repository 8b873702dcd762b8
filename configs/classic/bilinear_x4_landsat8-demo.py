# Bilinear interpolation of the LR LST at x4: a non-learned baseline (no checkpoint needed).
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/landsat8-demo_x4_sisr.py']
test_cfg = dict(type='TestLoop')
model = dict(type='Downscaler', scale=4, generator=None, residual='bilinear')
