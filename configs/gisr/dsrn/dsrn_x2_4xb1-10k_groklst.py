# DSRN = DepthSR-Net (Guo et al., IEEE TIP 2019): residual U-Net (4 levels, 64-512 features)
# with input and guidance pyramids; predicts the residual to the bicubic LR (residual='bicubic').
# x2 on GrokLST (60 m -> 30 m); all else as the x4 config.
_base_ = ['./dsrn_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
