# ACT at paper size (Yoo et al., WACV 2023): C=64, four stages (8 transformer layers, four
# RCAN groups of 12 RCABs), 3x3 tokens, 8 heads, FFN expansion 4.
# x2 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['./act_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
