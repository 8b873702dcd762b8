# DJF (Li et al., "Deep Joint Image Filtering", ECCV 2016): CNN_T on the bicubic LR LST and
# CNN_G on the K guidance bands (9x9/96 -> 1x1/48 -> 5x5/1 each), fused by CNN_F
# (9x9/64 -> 1x1/32 -> 5x5/1); predicts the HR LST directly (residual=None).
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DJF', scale=scale, guidance_channels={{_base_.num_guidance}},
                   branch_channels=(96, 48, 1), branch_kernels=(9, 1, 5),
                   fusion_channels=(64, 32), fusion_kernels=(9, 1, 5)),
    loss=dict(type='MaskedL1Loss'))
