# bicubic on coarse LST scenes at x2; else as the x4 config.
_base_ = ['./bicubic_x4_coarse-scenes.py']
scale = 2
model = dict(scale=scale)
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
