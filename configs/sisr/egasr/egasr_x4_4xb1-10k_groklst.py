# EGASR at paper size (Qiu et al., ISPRS JPRS 2023): C=64, ten residual edge-enhanced groups of
# 16 EGRABs.
# x4 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# The original adds the bilinearly upsampled LR to its output: residual='bilinear'.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='EGASR', scale=scale, n_feats=64, n_resgroups=10, n_resblocks=16),
    loss=dict(type='MaskedL1Loss'))
