# PAC joint upsampling (Su et al., "Pixel-Adaptive Convolutional Neural Networks", CVPR 2019):
# LR target convs, HR guidance convs giving 16 adapting channels per x2 stage, log2(s) Gaussian
# PAC transposed convs (5x5, stride 2), 2 final convs; 32 filters, 5x5 kernels (paper size).
# Predicts the HR LST directly (residual=None), as in the paper.
# Landsat-8 demo, x4 (120 m -> 30 m), batch 4, 800 iterations on CPU; best checkpoint on val.
# CPU-sized: the paper-size net runs ~2 it/s here, so this uses the widths of the authors'
# lightweight x4 variant (PacJointUpsampleLite: filters 12-22, 12 adapting channels), ~5 it/s.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/landsat8-demo_x4.py',
          '../../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='PacJointUpsample', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_t_layers=3, n_g_layers=3, n_f_layers=2, n_t_filters=(12, 16, 22),
                   n_g_filters=(12, 22), n_f_filters=(12, 16, 22), k_ch=12, f_sz_1=5, f_sz_2=5),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=20))
