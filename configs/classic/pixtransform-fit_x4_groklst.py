# PixTransform fitted on every test tile of GrokLST at x4 (no training, no checkpoint:
# python tools/test.py CONFIG). CPU-sized fit (the class defaults: 300 steps of 32 LR pixels,
# wide layer 256); paper and settings: README.md.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/groklst_x4.py']
test_cfg = dict(type='TestLoop')
model = dict(type='PixTransformFit', scale={{_base_.scale}},
             guidance_channels={{_base_.num_guidance}})
