# DAGF (Zhong et al., IEEE TNNLS 2023): attentional guided filtering over a 3-level pyramid,
# 32 features, 3x3 kernels, 2 residual units; predicts the residual to the bicubic LR.
# x8 on GrokLST (240 m -> 30 m); all else as the x4 config.
_base_ = ['./dagf_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
