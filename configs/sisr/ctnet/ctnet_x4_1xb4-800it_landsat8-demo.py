# CTNet (Wang et al., TGRS 2022): 64 features, 16 contextual transformation blocks, 24-channel
# upsampler; the paper adds the bilinearly upsampled LR (residual='bilinear').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# Paper size: small enough for the 800-iteration CPU schedule on 2 cores (a few minutes).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='CTNet', scale=scale, in_channels=1,
                   n_feats=64, up_feats=24, n_blocks=16),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
