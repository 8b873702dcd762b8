# NGswin at paper size (Choi et al., CVPR 2023): D=64, encoder depths (6, 4, 4) with (6, 4, 4)
# heads, decoder depth 6 with 6 heads, window 8, N-gram 2, MLP ratio 2.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
# x8 is not in the paper: the same one-conv + pixel-shuffle reconstruction with s=8.
_base_ = ['./ngswin_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
