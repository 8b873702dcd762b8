# CU-Net (Deng & Dragotti, TPAMI 2020): unique/common convolutional sparse codes by unfolded
# LISTA (64 atoms of 9x9, 4 iterations per module); predicts the HR LST (residual=None).
# x8 on GrokLST (240 m -> 30 m); all else as the x4 config.
_base_ = ['./cunet_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
