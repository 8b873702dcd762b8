# DisTrad at x2 on the Landsat-8 demo (60 m -> 30 m); everything else as the x4 config.
_base_ = ['./distrad_x4_landsat8-demo.py']
scale = 2
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
model = dict(scale=scale)
