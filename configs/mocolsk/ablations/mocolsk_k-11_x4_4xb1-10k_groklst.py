# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# one large 11x11 depth-wise kernel instead of the (3, 1) -> (5, 2) decomposition.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(lsk_kernels=((11, 1), )))
