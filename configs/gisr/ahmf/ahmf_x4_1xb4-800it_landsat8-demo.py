# AHMF (Zhong et al., "High-Resolution Depth Maps Imaging via Attention-Based Hierarchical
# Multi-Modal Fusion", IEEE TIP 2021): four LR feature levels per modality, gated-conv +
# multi-modal-attention fusion, bidirectional 2-layer ConvGRU, 64 features (paper size).
# Predicts the residual over the bicubic LST (residual='bicubic').
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: 64 features cost ~33 GFLOP per step of 4 x 64 x 64 (< 1 it/s on 2 cores); the
# width is halved to 32 features (~8 GFLOP), depth and structure unchanged.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='AHMF', scale=scale, guidance_channels={{_base_.num_guidance}},
                   num_feats=32, reduction=4, gru_layers=2),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
