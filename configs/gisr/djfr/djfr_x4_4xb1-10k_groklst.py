# DJFR (Li et al., "Joint Image Filtering with Deep Convolutional Networks", TPAMI 2019): the
# DJF networks with residual learning: the Downscaler adds the bicubic LR (residual='bicubic').
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DJFR', scale=scale, guidance_channels={{_base_.num_guidance}},
                   branch_channels=(96, 48, 1), branch_kernels=(9, 1, 5),
                   fusion_channels=(64, 32), fusion_kernels=(9, 1, 5)),
    loss=dict(type='MaskedL1Loss'))
