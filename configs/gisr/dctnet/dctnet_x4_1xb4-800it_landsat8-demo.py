# DCTNet (Zhao et al., CVPR 2022): coupled encoder (4 layers, 64 features, 32 shared), edge
# weights, closed-form DCT guided Poisson solve, decoder; predicts the HR LST (residual=None).
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: 16 features (8 shared) and 2 coupled layers instead of 64/32/4 (paper size ran at
# ~0.2 it/s on 2 shared cores, far below the ~3 it/s the 800-iteration schedule needs).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DCTNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_feats=16, n_shared=8, n_layers=2),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
