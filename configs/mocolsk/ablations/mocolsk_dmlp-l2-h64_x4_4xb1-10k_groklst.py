# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# 2 Dynamic MLP layers, hidden width 64.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(mlp_layers=2, mlp_hidden=64))
