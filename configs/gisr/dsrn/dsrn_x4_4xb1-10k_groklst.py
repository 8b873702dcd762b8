# DSRN = DepthSR-Net (Guo et al., IEEE TIP 2019): residual U-Net (4 levels, 64-512 features)
# with input and guidance pyramids; predicts the residual to the bicubic LR (residual='bicubic').
# x4 on GrokLST (120 m -> 30 m), paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DSRN', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=64, n_levels=4),
    loss=dict(type='MaskedL1Loss'))
