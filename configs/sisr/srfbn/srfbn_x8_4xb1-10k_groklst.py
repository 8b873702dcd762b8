# SRFBN (Li et al., CVPR 2019): m=64 features, G=6 projection groups, T=4 steps; the paper adds
# the bilinearly upsampled LR to the output (residual='bilinear').
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SRFBN', scale=scale, in_channels=1,
                   num_features=64, num_groups=6, num_steps=4),
    loss=dict(type='MaskedL1Loss'))
