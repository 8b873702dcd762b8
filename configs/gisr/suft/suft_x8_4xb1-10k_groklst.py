# SUFT (Shi et al., "Symmetric Uncertainty-Aware Feature Transmission for Depth
# Super-Resolution", ACM MM 2022): LR trunk of 4 residual groups (32..128 features) with 3
# symmetric-uncertainty bridges to HR guidance features, DBPN up-projection, 2 HR residual
# groups of 8 RCABs (paper size). Predicts the residual over the bicubic LST
# (residual='bicubic').
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./suft_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
