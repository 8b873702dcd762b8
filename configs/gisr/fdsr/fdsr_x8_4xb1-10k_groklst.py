# FDSR (He et al., "Towards Fast and Accurate Real-World Depth Super-Resolution: Benchmark
# Dataset and Baseline", CVPR 2021): space-to-depth x4, octave-conv guidance branch, four
# multi-scale residual blocks, 32 features (paper size). Predicts the residual over the
# bicubic LST (residual='bicubic').
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./fdsr_x4_4xb1-10k_groklst.py']
scale = 8
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
