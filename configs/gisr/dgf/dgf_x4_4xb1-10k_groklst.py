# Deep guided filter (Wu et al., "Fast End-to-End Trainable Guided Filter", CVPR 2018): learned
# guidance map, LR context-aggregation network, trainable fast guided filtering layer (radius 1);
# filter_type='conv' gives the convolutional guided filter. Predicts the HR LST (residual=None).
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DGF', scale=scale, guidance_channels={{_base_.num_guidance}},
                   filter_type='fast', radius=1, eps=1e-4, lr_channels=24, lr_depth=5,
                   guide_hidden=15),
    loss=dict(type='MaskedL1Loss'))
