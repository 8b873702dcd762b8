# CODON (Yang et al., "CODON: On Orchestrating Cross-Domain Attentions for Depth
# Super-Resolution", IJCV 2022): HR LST and guidance branches, 5 cross-domain attention
# rounds, 3 fusion rounds, 64 features (paper size). The original has no x2 network; the
# x2 config upsamples x2 before the same scale-independent network. Predicts the residual
# over the bicubic LST (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: the paper network runs all its 64/128-channel 5x5 convs at HR (~730 GFLOP per
# step of 4 x 64 x 64); here 8 features, 3 cross-domain and 2 fusion rounds (~7 GFLOP).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='CODON', scale=scale, guidance_channels={{_base_.num_guidance}},
                   num_feats=8, n_cross=3, n_fuse=2, reduction=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
