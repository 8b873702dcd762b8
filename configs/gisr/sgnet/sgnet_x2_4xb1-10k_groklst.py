# SGNet (Wang et al., AAAI 2024): gradient calibration + structure-guided spatial/frequency
# fusion, 40 features, 6/8/4 RCABs per trunk/tail/GCM group; residual to the bicubic LR.
# x2 on GrokLST (60 m -> 30 m); all else as the x4 config.
_base_ = ['./sgnet_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
