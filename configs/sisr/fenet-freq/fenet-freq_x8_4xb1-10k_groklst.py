# FENet (frequency-based) at paper size (Behjati et al., IEEE Access 2022): C=64, 12 FEBs,
# upsampler groups 4. (Registered as FENet; FeNet is the TGRS lattice network.)
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# The original adds the bicubically upsampled LR to its output: residual='bicubic'.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='FENet', scale=scale, n_feats=64, n_blocks=12, group=4),
    loss=dict(type='MaskedL1Loss'))
