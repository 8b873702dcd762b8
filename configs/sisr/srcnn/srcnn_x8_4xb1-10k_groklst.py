# SRCNN (Dong et al., TPAMI 2016): 9-5-5 network, n1=64, n2=32, on the bicubically
# upsampled LR (the generator interpolates internally and predicts the full field: residual=None).
# x8 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SRCNN', scale=scale, in_channels=1,
                   channels=(64, 32), kernel_sizes=(9, 5, 5), upsample_mode='bicubic'),
    loss=dict(type='MaskedL1Loss'))
