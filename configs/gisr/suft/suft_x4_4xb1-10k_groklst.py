# SUFT (Shi et al., "Symmetric Uncertainty-Aware Feature Transmission for Depth
# Super-Resolution", ACM MM 2022): LR trunk of 4 residual groups (32..128 features) with 3
# symmetric-uncertainty bridges to HR guidance features, DBPN up-projection, 2 HR residual
# groups of 8 RCABs (paper size). Predicts the residual over the bicubic LST
# (residual='bicubic').
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SUFT', scale=scale, guidance_channels={{_base_.num_guidance}},
                   num_feats=32, n_resblocks=4, n_tail_groups=2, n_tail_blocks=8,
                   reduction=16),
    loss=dict(type='MaskedL1Loss'))
