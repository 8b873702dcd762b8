# FeNet (Wang et al., TGRS 2022): 48 features, 4 feature enhancement blocks, attention
# reduction 8; the paper adds the bicubically upsampled LR (residual='bicubic').
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='FeNet', scale=scale, in_channels=1,
                   n_feats=48, n_blocks=4, reduction=8),
    loss=dict(type='MaskedL1Loss'))
