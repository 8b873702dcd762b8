# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# per-stage blocks C, S, C, C (C = MoCoLSK-CS, S = MoCoLSK).
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(block_types=('C', 'S', 'C', 'C')))
