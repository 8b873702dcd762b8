# D-DBPN (Haris et al., CVPR 2018): n0=256, nR=64, T=7 dense back-projection stages; projection
# kernel/stride/padding 6/2/2 (x2), 8/4/2 (x4), 12/8/2 (x8); no image-level skip.
# x2 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./dbpn_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
