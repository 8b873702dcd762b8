# Omni-SR at paper size (Wang et al., CVPR 2023): C=64, five OSAGs of one OSA block, window 8,
# relative position bias.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['./omnisr_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
