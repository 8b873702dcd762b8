# MoCoLSK-Net ablation on GrokLST x4 (paper and tables: ../README.md):
# identity baseline, no fusion module (the down-projection reads [LST, guidance]).
# Everything else as ../mocolsk_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../mocolsk_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(block_types='identity'))
