# ACT on the Landsat-8 demo (x4, 120 m -> 30 m, LST only), trained on 2 CPU cores.
# CPU-sized: the paper's ACT (46M parameters) is far too slow for the 2-core demo schedule;
# same architecture with C=32 and four RCABs per group.
# No interpolation skip in the original design: residual=None.
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='ACT', scale=scale, n_feats=32, n_fusionblocks=4, n_resblocks=4,
                   reduction=16, token_size=3, n_heads=8, expansion_ratio=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
