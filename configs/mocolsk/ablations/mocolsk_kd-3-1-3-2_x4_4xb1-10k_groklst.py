# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# LSK kernels (K, D) = (3, 1) -> (3, 2), receptive field 7 (SKNet-sized).
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(lsk_kernels=((3, 1), (3, 2))))
