# DMS at x2 on GrokLST (60 m -> 30 m); everything else as the x4 config.
_base_ = ['./dms_x4_groklst.py']
scale = 2
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
# Local cells of 32 LR pixels: 64 x 64 HR pixels as at x4.
model = dict(scale=scale, window_size=32)
