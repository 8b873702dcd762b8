# DCTLSA at paper size (Zeng et al., IEEE TIM 2023): C=55, six densely connected LSABs, five
# heads, window 16, MLP ratio 2.
# x4 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x4_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='DCTLSA', scale=scale, nf=55, num_modules=6, num_head=5, window_size=16,
                   mlp_ratio=2.0),
    loss=dict(type='MaskedL1Loss'))
