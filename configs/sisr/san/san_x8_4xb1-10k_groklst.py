# SAN (Dai et al., CVPR 2019): 20 LSRAGs x 10 residual blocks, 64 features, SOCA reduction 16
# with 5 Newton-Schulz iterations, RL-NL on 2x2 regions; no image-level skip.
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./san_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
