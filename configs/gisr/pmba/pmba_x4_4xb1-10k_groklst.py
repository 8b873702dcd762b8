# PMBA-Net (Ye et al., IEEE TIP 2020): log2(s)+1 multi-branch aggregation stages (64 features,
# 4 back-projection units each, 256-wide heads); predicts the HR LST (residual=None).
# x4 on GrokLST (120 m -> 30 m), paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='PMBANet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=64, guide_feats=256, n_units=4),
    loss=dict(type='MaskedL1Loss'))
