# PixTransform (de Lutio et al., "Guided Super-Resolution as Pixel-to-Pixel Transformation",
# ICCV 2019), supervised variant: the paper's pixel-wise network (hidden 32, width 2048) with the
# bicubic LR LST in its spatial branch, trained on the training split (residual=None). The
# paper's per-image fit is configs/classic/pixtransform-fit_*.
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='PixTransformNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   hidden=32, width=2048, kernel_size=1),
    loss=dict(type='MaskedL1Loss'))
