# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# one large 55x55 depth-wise kernel instead of (5, 1) -> (7, 3) -> (9, 4).
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(lsk_kernels=((55, 1), )))
