# DKN (Kim, Ponce and Ham, "Deformable Kernel Networks for Joint Image Filtering", IJCV 2021):
# guidance and bicubic-LST branches of 7 convs (widths 32/64/128, dense via dilation) predict
# weights and offsets of 3x3 deformable samples per HR pixel (paper size). Residual form:
# zero-mean weights, the Downscaler adds the bicubic LST (residual='bicubic').
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DKN', scale=scale, guidance_channels={{_base_.num_guidance}},
                   kernel_size=3, widths=(32, 64, 128), residual=True),
    loss=dict(type='MaskedL1Loss'))
