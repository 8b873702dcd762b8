# SUFT (Shi et al., "Symmetric Uncertainty-Aware Feature Transmission for Depth
# Super-Resolution", ACM MM 2022): LR trunk of 4 residual groups (32..128 features) with 3
# symmetric-uncertainty bridges to HR guidance features, DBPN up-projection, 2 HR residual
# groups of 8 RCABs (paper size). Predicts the residual over the bicubic LST
# (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: the paper network (22 M parameters, 128-channel residual groups at HR) costs
# ~600 GFLOP per step of 4 x 64 x 64; here F = 8 features (8..32 in the trunk), 2 RCABs per
# trunk group and one HR group of 2 RCABs (~11 GFLOP).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SUFT', scale=scale, guidance_channels={{_base_.num_guidance}},
                   num_feats=8, n_resblocks=2, n_tail_groups=1, n_tail_blocks=2,
                   reduction=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
