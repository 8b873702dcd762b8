# SwinIR on the Landsat-8 demo (x4, 120 m -> 30 m, LST only), trained on 2 CPU cores.
# CPU-sized: the paper's *lightweight* SwinIR (C=60, four groups of six blocks, six heads,
# one-step pixel-shuffle reconstruction); the classical model (11.9M parameters) is too slow
# for the 2-core demo schedule.
# No interpolation skip (SwinIR reconstructs the whole image): residual=None.
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SwinIR', scale=scale, embed_dim=60, depths=(6, 6, 6, 6),
                   num_heads=(6, 6, 6, 6), window_size=8, mlp_ratio=2.0,
                   upsampler='pixelshuffledirect', resi_connection='1conv'),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
