# CTNet (Wang et al., TGRS 2022): 64 features, 16 contextual transformation blocks, 24-channel
# upsampler; the paper adds the bilinearly upsampled LR (residual='bilinear').
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='CTNet', scale=scale, in_channels=1,
                   n_feats=64, up_feats=24, n_blocks=16),
    loss=dict(type='MaskedL1Loss'))
