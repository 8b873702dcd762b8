# RSAG (Yuan et al., AAAI 2023): recurrent structure attention guidance, 16 features, 30 CBAM
# blocks per decoder step (x2 is an extension, see the class); residual to the bicubic LR.
# x2 on GrokLST (60 m -> 30 m); all else as the x4 config.
_base_ = ['./rsag_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
