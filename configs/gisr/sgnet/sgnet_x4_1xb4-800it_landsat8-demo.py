# SGNet (Wang et al., AAAI 2024): gradient calibration + structure-guided spatial/frequency
# fusion, 40 features, 6/8/4 RCABs per trunk/tail/GCM group; residual to the bicubic LR.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: 16 features and 1 RCAB per residual group instead of 40 features and 6/8/4
# (paper size, ~25M parameters, is far below the ~3 it/s the 800-iteration schedule needs).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SGNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=16, n_resblocks=1, n_tail_blocks=1, n_gcm_blocks=1),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
