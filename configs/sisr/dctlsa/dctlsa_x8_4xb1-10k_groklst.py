# DCTLSA at paper size (Zeng et al., IEEE TIM 2023): C=55, six densely connected LSABs, five
# heads, window 16, MLP ratio 2.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['./dctlsa_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
