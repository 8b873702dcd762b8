# CODON (Yang et al., "CODON: On Orchestrating Cross-Domain Attentions for Depth
# Super-Resolution", IJCV 2022): HR LST and guidance branches, 5 cross-domain attention
# rounds, 3 fusion rounds, 64 features (paper size). The original has no x2 network; the
# x2 config upsamples x2 before the same scale-independent network. Predicts the residual
# over the bicubic LST (residual='bicubic').
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='CODON', scale=scale, guidance_channels={{_base_.num_guidance}},
                   num_feats=64, n_cross=5, n_fuse=3, reduction=16),
    loss=dict(type='MaskedL1Loss'))
