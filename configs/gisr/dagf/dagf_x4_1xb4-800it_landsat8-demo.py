# DAGF (Zhong et al., IEEE TNNLS 2023): attentional guided filtering over a 3-level pyramid,
# 32 features, 3x3 kernels, 2 residual units; predicts the residual to the bicubic LR.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: 16 features and 1 residual unit per level instead of 32 and 2 (paper size is
# far below the ~3 it/s that the 800-iteration schedule needs on 2 cores).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DAGF', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=16, num_pyramid=3, kernel_size=3, n_res=1),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
