# PAC joint upsampling (Su et al., "Pixel-Adaptive Convolutional Neural Networks", CVPR 2019):
# LR target convs, HR guidance convs giving 16 adapting channels per x2 stage, log2(s) Gaussian
# PAC transposed convs (5x5, stride 2), 2 final convs; 32 filters, 5x5 kernels (paper size).
# Predicts the HR LST directly (residual=None), as in the paper.
# x2 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./pac_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
