# MSG-Net on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: widths halved (channels 16, LST stem 32, guidance stem 24 instead of
# 32/64/49; the paper size trains at ~2 it/s on 2 cores); depth and layout as the paper.
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None,
             generator=dict(type='MSGNet', channels=16, lst_stem_channels=32,
                            guide_stem_channels=24))
