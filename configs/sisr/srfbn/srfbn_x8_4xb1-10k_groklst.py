# SRFBN (Li et al., CVPR 2019): m=64 features, G=6 projection groups, T=4 steps; the paper adds
# the bilinearly upsampled LR to the output (residual='bilinear').
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./srfbn_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
