# DAGF (Zhong et al., IEEE TNNLS 2023): attentional guided filtering over a 3-level pyramid,
# 32 features, 3x3 kernels, 2 residual units; predicts the residual to the bicubic LR.
# x4 on GrokLST (120 m -> 30 m), paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DAGF', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=32, num_pyramid=3, kernel_size=3, n_res=2),
    loss=dict(type='MaskedL1Loss'))
