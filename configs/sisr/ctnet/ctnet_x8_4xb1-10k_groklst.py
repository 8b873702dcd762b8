# CTNet (Wang et al., TGRS 2022): 64 features, 16 contextual transformation blocks, 24-channel
# upsampler; the paper adds the bilinearly upsampled LR (residual='bilinear').
# x8 extension (not in the paper, which covers x2-x4): three chained x2 reconstruction stages,
# the x4 layout with one more identical stage.
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./ctnet_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
