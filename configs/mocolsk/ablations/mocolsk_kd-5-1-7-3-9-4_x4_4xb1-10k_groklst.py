# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# three LSK kernels (5, 1) -> (7, 3) -> (9, 4), receptive field 55.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(lsk_kernels=((5, 1), (7, 3), (9, 4))))
