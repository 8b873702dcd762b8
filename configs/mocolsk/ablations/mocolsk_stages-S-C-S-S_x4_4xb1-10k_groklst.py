# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# per-stage blocks S, C, S, S.
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(block_types=('S', 'C', 'S', 'S')))
