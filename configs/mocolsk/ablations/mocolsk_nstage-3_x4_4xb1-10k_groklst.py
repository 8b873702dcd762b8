# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# 3 stages instead of 4.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(num_stages=3))
