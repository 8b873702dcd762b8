# FDSR (He et al., "Towards Fast and Accurate Real-World Depth Super-Resolution: Benchmark
# Dataset and Baseline", CVPR 2021): space-to-depth x4, octave-conv guidance branch, four
# multi-scale residual blocks, 32 features (paper size). Predicts the residual over the
# bicubic LST (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# Paper size: ~4.5 GFLOP per step of 4 x 64 x 64, fast enough for the CPU schedule.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='FDSR', scale=scale, guidance_channels={{_base_.num_guidance}},
                   num_feats=32, unshuffle=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
