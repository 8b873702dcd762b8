# RCAN (Zhang et al., ECCV 2018): 10 residual groups x 20 RCABs, 64 features, reduction 16;
# no image-level skip.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized variant: 5 groups x 10 RCABs (paper: 10 x 20), same architecture otherwise;
# the paper size needs about 1 s/iteration on 2 CPU cores, too slow for the
# 800-iteration demo schedule.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='RCAN', scale=scale, in_channels=1,
                   n_feats=64, n_resgroups=5, n_resblocks=10, reduction=16),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
