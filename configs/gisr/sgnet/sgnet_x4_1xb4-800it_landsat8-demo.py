# SGNet on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: 16 features and 1 RCAB per residual group instead of 40 features and 6/8/4
# (paper size, ~25M parameters, is far below the ~3 it/s the 800-iteration schedule needs).
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic',
             generator=dict(type='SGNet', n_feats=16, n_resblocks=1, n_tail_blocks=1,
                            n_gcm_blocks=1))
