# SRCNN (Dong et al., TPAMI 2016): 9-5-5 network, n1=64, n2=32, on the bicubically
# upsampled LR (the generator interpolates internally and predicts the full field: residual=None).
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# Paper size: small enough for the 800-iteration CPU schedule on 2 cores (a few minutes).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SRCNN', scale=scale, in_channels=1,
                   channels=(64, 32), kernel_sizes=(9, 5, 5), upsample_mode='bicubic'),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
