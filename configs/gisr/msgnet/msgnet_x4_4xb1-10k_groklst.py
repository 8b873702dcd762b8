# MSG-Net (Hui et al., "Depth Map Super-Resolution by Deep Multi-Scale Guidance", ECCV 2016):
# high-frequency main branch with multi-scale guidance features; the network adds the Gaussian
# low-pass of the bicubic LR itself (residual=None).
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='MSGNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   channels=32, lst_stem_channels=64, guide_stem_channels=49,
                   blur_kernel=15, blur_sigma=5.0),
    loss=dict(type='MaskedL1Loss'))
