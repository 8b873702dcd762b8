# SAFMN on the Landsat-8 demo (x4, 120 m -> 30 m, LST only), trained on 2 CPU cores.
# Paper-size model (it fits the 2-core demo schedule).
# No interpolation skip in the official model: residual=None.
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SAFMN', scale=scale, dim=36, n_blocks=8, ffn_scale=2.0, n_levels=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
