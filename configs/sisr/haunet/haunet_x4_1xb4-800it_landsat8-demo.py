# HAUNet on the Landsat-8 demo (x4, 120 m -> 30 m, LST only), trained on 2 CPU cores.
# Paper-size model (it fits the 2-core demo schedule).
# The original adds the bilinearly upsampled LR to its output: residual='bilinear'.
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4_sisr.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='HAUNet', scale=scale, width=96, middle_blk_num=10, enc_blk_nums=(5, 5),
                   dec_blk_nums=(5, 5), heads=(1, 2, 4)),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
