# CODON (Yang et al., "CODON: On Orchestrating Cross-Domain Attentions for Depth
# Super-Resolution", IJCV 2022): HR LST and guidance branches, 5 cross-domain attention
# rounds, 3 fusion rounds, 64 features (paper size). The original has no x2 network; the
# x2 config upsamples x2 before the same scale-independent network. Predicts the residual
# over the bicubic LST (residual='bicubic').
# x2 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['./codon_x4_4xb1-10k_groklst.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
