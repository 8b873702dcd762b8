# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# base dim 16 instead of 32.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(base_dim=16))
