# SwinIR at paper size (Liang et al., ICCVW 2021): the classical-SR model, C=180, six residual
# Swin groups of six blocks, six heads, window 8, MLP ratio 2, pixel-shuffle reconstruction.
# x2 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip (SwinIR reconstructs the whole image): residual=None.
_base_ = ['./swinir_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
