# CPU-sized MoCoLSK-Net ablation on the Landsat-8 demo x4 (../README.md):
# SK-M (Li et al., CVPR 2019) on the concatenated modalities.
# Everything else as ../mocolsk-demo_x4_1xb4-800it_landsat8-demo.py (base dim 16, 2 stages).
_base_ = ['../mocolsk-demo_x4_1xb4-800it_landsat8-demo.py']
model = dict(generator=dict(block_types='SK-M'))
