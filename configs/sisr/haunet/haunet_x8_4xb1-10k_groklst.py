# HAUNet at paper size (Wang et al., IEEE TGRS 2023): C=96, encoder/decoder levels of (5, 5)
# blocks, 10 middle blocks, heads (1, 2, 4).
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# The original adds the bilinearly upsampled LR to its output: residual='bilinear'.
_base_ = ['./haunet_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
