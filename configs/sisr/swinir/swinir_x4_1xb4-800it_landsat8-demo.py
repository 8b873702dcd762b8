# SwinIR on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: the paper's *lightweight* SwinIR (C=60, four groups of six blocks, six heads,
# one-step pixel-shuffle reconstruction); the classical model (11.9M parameters) is too slow
# for the 2-core demo schedule.
_base_ = ['../../_base_/experiments/sisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None,
             generator=dict(type='SwinIR', embed_dim=60, depths=(6, 6, 6, 6),
                            num_heads=(6, 6, 6, 6), upsampler='pixelshuffledirect'))
