# CFGN at paper size (Dai et al., IEEE TETCI 2024): C=64, nine main blocks of CFGMs (32 groups,
# context dilation 3), LeakyReLU distillation taps.
# x2 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['./cfgn_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
