# Landsat-8 demo dataset at x2 without guidance (single-image SR).
_base_ = ['./landsat8-demo_x2.py']
train_dataloader = dict(dataset=dict(use_guidance=False))
val_dataloader = dict(dataset=dict(use_guidance=False))
test_dataloader = dict(dataset=dict(use_guidance=False))
