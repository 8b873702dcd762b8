# GrokLST benchmark at x8 without guidance (single-image SR).
_base_ = ['./groklst_x8.py']
train_dataloader = dict(dataset=dict(use_guidance=False))
val_dataloader = dict(dataset=dict(use_guidance=False))
test_dataloader = dict(dataset=dict(use_guidance=False))
