# OmniSR on the Landsat-8 demo (x4, 120 m -> 30 m, LST only), trained on 2 CPU cores.
# Paper-size model (it fits the 2-core demo schedule).
# No interpolation skip in the original design: residual=None.
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='OmniSR', scale=scale, num_feat=64, res_num=5, block_num=1, window_size=8,
                   with_pe=True),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
