# PixTransform-fit at x8 on the Landsat-8 demo (240 m -> 30 m); everything else as the x4 config.
_base_ = ['./pixtransform-fit_x4_landsat8-demo.py']
scale = 8
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
model = dict(scale=scale)
