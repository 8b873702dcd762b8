# SRFBN (Li et al., CVPR 2019): m=64 features, G=6 projection groups, T=4 steps; the paper adds
# the bilinearly upsampled LR to the output (residual='bilinear').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized variant: the paper's own SRFBN-S (m=32, G=3, T=4), same architecture otherwise;
# the paper size needs about 1 s/iteration on 2 CPU cores, too slow for the
# 800-iteration demo schedule.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SRFBN', scale=scale, in_channels=1,
                   num_features=32, num_groups=3, num_steps=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
