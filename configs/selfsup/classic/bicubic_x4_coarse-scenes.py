# Bicubic interpolation of coarse LST scenes at x4 through tools/fit_scenes.py (no training; the
# guidance files only define the output grid).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/coarse-scenes-ndvi_x4.py']
test_cfg = dict(type='TestLoop')
model = dict(type='Downscaler', scale=4, generator=None, residual='bicubic')
