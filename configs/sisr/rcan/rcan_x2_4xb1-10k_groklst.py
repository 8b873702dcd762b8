# RCAN (Zhang et al., ECCV 2018): 10 residual groups x 20 RCABs, 64 features, reduction 16;
# no image-level skip.
# x2 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x2_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 2
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='RCAN', scale=scale, in_channels=1,
                   n_feats=64, n_resgroups=10, n_resblocks=20, reduction=16),
    loss=dict(type='MaskedL1Loss'))
