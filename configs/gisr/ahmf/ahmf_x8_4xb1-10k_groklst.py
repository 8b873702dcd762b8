# AHMF (Zhong et al., "High-Resolution Depth Maps Imaging via Attention-Based Hierarchical
# Multi-Modal Fusion", IEEE TIP 2021): four LR feature levels per modality, gated-conv +
# multi-modal-attention fusion, bidirectional 2-layer ConvGRU, 64 features (paper size).
# Predicts the residual over the bicubic LST (residual='bicubic').
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./ahmf_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
