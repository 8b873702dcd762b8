# SVLRM (Pan et al., "Spatially Variant Linear Representation Models for Joint Filtering",
# CVPR 2019): a 12-layer CNN predicts per-pixel coefficients, LST = sum_k alpha_k G_k + beta
# (residual=None).
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SVLRM', scale=scale, guidance_channels={{_base_.num_guidance}},
                   channels=64, num_layers=12),
    loss=dict(type='MaskedL1Loss'))
