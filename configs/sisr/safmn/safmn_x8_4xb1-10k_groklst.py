# SAFMN at paper size (Sun et al., ICCV 2023): C=36, eight feature mixing modules, FFN scale 2,
# four SAFM levels.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the official model: residual=None.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SAFMN', scale=scale, dim=36, n_blocks=8, ffn_scale=2.0, n_levels=4),
    loss=dict(type='MaskedL1Loss'))
