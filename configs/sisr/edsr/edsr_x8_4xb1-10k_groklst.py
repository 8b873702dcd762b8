# EDSR baseline (Lim et al., CVPRW 2017): 16 residual blocks, 64 features, residual scale 1
# (the large EDSR is n_resblocks=32, n_feats=256, res_scale=0.1); no image-level skip.
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./edsr_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
