# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# global max pooling in the MCWG pathway instead of the PPM.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(pool_type='max', pool_bins=(1, )))
