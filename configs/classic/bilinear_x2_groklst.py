# Bilinear interpolation of the LR LST at x2: a non-learned baseline (no checkpoint needed).
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/groklst_x2_sisr.py']
test_cfg = dict(type='TestLoop')
model = dict(type='Downscaler', scale=2, generator=None, residual='bilinear')
