# ACT at paper size (Yoo et al., WACV 2023): C=64, four stages (8 transformer layers, four
# RCAN groups of 12 RCABs), 3x3 tokens, 8 heads, FFN expansion 4.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='ACT', scale=scale, n_feats=64, n_fusionblocks=4, n_resblocks=12,
                   reduction=16, token_size=3, n_heads=8, expansion_ratio=4),
    loss=dict(type='MaskedL1Loss'))
