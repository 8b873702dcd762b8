# Landsat-8 demo dataset at x2 (60 m → 30 m); everything else as the x4 file.
_base_ = ['./landsat8-demo_x4.py']
scale = 2
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
