# CFGN at paper size (Dai et al., IEEE TETCI 2024): C=64, nine main blocks of CFGMs (32 groups,
# context dilation 3), LeakyReLU distillation taps.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='CFGN', scale=scale, n_feats=64, n_resgroups=9, act='lrelu',
                   block_type='cfgm', dilation=3, groups=32),
    loss=dict(type='MaskedL1Loss'))
