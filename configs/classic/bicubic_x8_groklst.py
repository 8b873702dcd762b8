# Bicubic interpolation of the LR LST at x8: a non-learned baseline (no checkpoint needed).
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/groklst_x8_sisr.py']
test_cfg = dict(type='TestLoop')
model = dict(type='Downscaler', scale=8, generator=None, residual='bicubic')
