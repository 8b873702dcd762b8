# NGswin on the Landsat-8 demo (x4, 120 m -> 30 m, LST only), trained on 2 CPU cores.
# Paper-size model (it fits the 2-core demo schedule).
# No interpolation skip in the original design: residual=None.
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='NGswin', scale=scale, embed_dim=64, depths=(6, 4, 4),
                   num_heads=(6, 4, 4), dec_depth=6, dec_num_heads=6,
                   ngrams=(2, 2, 2, 2), window_size=8, mlp_ratio=2.0),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
