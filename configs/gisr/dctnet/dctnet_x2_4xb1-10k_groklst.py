# DCTNet (Zhao et al., CVPR 2022): coupled encoder (4 layers, 64 features, 32 shared), edge
# weights, closed-form DCT guided Poisson solve, decoder; predicts the HR LST (residual=None).
# x2 on GrokLST (60 m -> 30 m); all else as the x4 config.
_base_ = ['./dctnet_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
