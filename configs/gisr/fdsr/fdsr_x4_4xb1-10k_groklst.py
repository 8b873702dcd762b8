# FDSR (He et al., "Towards Fast and Accurate Real-World Depth Super-Resolution: Benchmark
# Dataset and Baseline", CVPR 2021): space-to-depth x4, octave-conv guidance branch, four
# multi-scale residual blocks, 32 features (paper size). Predicts the residual over the
# bicubic LST (residual='bicubic').
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='FDSR', scale=scale, guidance_channels={{_base_.num_guidance}},
                   num_feats=32, unshuffle=4),
    loss=dict(type='MaskedL1Loss'))
