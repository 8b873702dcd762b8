# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# LSK kernels (3, 1) -> (5, 2), receptive field 11.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(lsk_kernels=((3, 1), (5, 2))))
