# SAN (Dai et al., CVPR 2019): 20 LSRAGs x 10 residual blocks, 64 features, SOCA reduction 16
# with 5 Newton-Schulz iterations, RL-NL on 2x2 regions; no image-level skip.
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SAN', scale=scale, in_channels=1,
                   n_feats=64, n_resgroups=20, n_resblocks=10, reduction=16,
                   sqrt_iters=5, nonlocal_grid=2),
    loss=dict(type='MaskedL1Loss'))
