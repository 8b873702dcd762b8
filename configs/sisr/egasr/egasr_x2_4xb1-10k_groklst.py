# EGASR at paper size (Qiu et al., ISPRS JPRS 2023): C=64, ten residual edge-enhanced groups of
# 16 EGRABs.
# x2 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# The original adds the bilinearly upsampled LR to its output: residual='bilinear'.
_base_ = ['./egasr_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
