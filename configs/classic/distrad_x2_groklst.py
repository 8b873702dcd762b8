# DisTrad at x2 on GrokLST (60 m -> 30 m); everything else as the x4 config.
_base_ = ['./distrad_x4_groklst.py']
scale = 2
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
model = dict(scale=scale)
