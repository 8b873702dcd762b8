# PAC on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: the paper-size net runs ~2 it/s here, so this uses the widths of the authors'
# lightweight x4 variant (PacJointUpsampleLite: filters 12-22, 12 adapting channels), ~5 it/s.
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual=None,
             generator=dict(type='PacJointUpsample', n_t_filters=(12, 16, 22),
                            n_g_filters=(12, 22), n_f_filters=(12, 16, 22), k_ch=12))
