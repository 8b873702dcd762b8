# FENet (frequency-based) at paper size (Behjati et al., IEEE Access 2022): C=64, 12 FEBs,
# upsampler groups 4. (Registered as FENet; FeNet is the TGRS lattice network.)
# x2 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# The original adds the bicubically upsampled LR to its output: residual='bicubic'.
_base_ = ['./fenet-freq_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
