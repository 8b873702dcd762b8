# PAC joint upsampling (Su et al., "Pixel-Adaptive Convolutional Neural Networks", CVPR 2019):
# LR target convs, HR guidance convs giving 16 adapting channels per x2 stage, log2(s) Gaussian
# PAC transposed convs (5x5, stride 2), 2 final convs; 32 filters, 5x5 kernels (paper size).
# Predicts the HR LST directly (residual=None), as in the paper.
# x4 on GrokLST, paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations
# (tools/dist_train.sh CONFIG 4).
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='PacJointUpsample', scale=scale, guidance_channels={{_base_.num_guidance}},
                   n_t_layers=3, n_g_layers=3, n_f_layers=2, n_t_filters=32, n_g_filters=32,
                   n_f_filters=32, k_ch=16, f_sz_1=5, f_sz_2=5),
    loss=dict(type='MaskedL1Loss'))
