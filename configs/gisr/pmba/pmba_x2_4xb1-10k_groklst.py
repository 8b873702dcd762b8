# PMBA-Net (Ye et al., IEEE TIP 2020): log2(s)+1 multi-branch aggregation stages (64 features,
# 4 back-projection units each, 256-wide heads); predicts the HR LST (residual=None).
# x2 on GrokLST (60 m -> 30 m); all else as the x4 config.
_base_ = ['./pmba_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
