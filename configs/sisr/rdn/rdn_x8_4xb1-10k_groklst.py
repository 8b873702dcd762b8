# RDN (Zhang et al., CVPR 2018): D=16 residual dense blocks, C=8 layers, G=64, G0=64;
# no image-level skip.
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./rdn_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
