# GrokLST benchmark at x4 without guidance (single-image SR).
_base_ = ['./groklst_x4.py']
train_dataloader = dict(dataset=dict(use_guidance=False))
val_dataloader = dict(dataset=dict(use_guidance=False))
test_dataloader = dict(dataset=dict(use_guidance=False))
