# SGNet (Wang et al., AAAI 2024): gradient calibration + structure-guided spatial/frequency
# fusion, 40 features, 6/8/4 RCABs per trunk/tail/GCM group; residual to the bicubic LR.
# x4 on GrokLST (120 m -> 30 m), paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SGNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=40, n_resblocks=6, n_tail_blocks=8, n_gcm_blocks=4),
    loss=dict(type='MaskedL1Loss'))
