# DKN (Kim, Ponce and Ham, "Deformable Kernel Networks for Joint Image Filtering", IJCV 2021):
# guidance and bicubic-LST branches of 7 convs (widths 32/64/128, dense via dilation) predict
# weights and offsets of 3x3 deformable samples per HR pixel (paper size). Residual form:
# zero-mean weights, the Downscaler adds the bicubic LST (residual='bicubic').
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./dkn_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
