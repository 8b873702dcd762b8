# EGASR on the Landsat-8 demo (x4, 120 m -> 30 m, LST only), trained on 2 CPU cores.
# CPU-sized: the paper's EGASR (10 groups x 16 blocks, 29M parameters) is far too slow for
# the 2-core demo schedule; same architecture with C=32 and 4 groups of 4 EGRABs.
# The original adds the bilinearly upsampled LR to its output: residual='bilinear'.
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='EGASR', scale=scale, n_feats=32, n_resgroups=4, n_resblocks=4),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
