# CPU-sized MoCoLSK-Net for the Landsat-8 demo (x4, 120 m -> 30 m), trained by `make demo` on
# 2 CPU cores in under 10 minutes. Same architecture as the paper, smaller: base dim 16,
# 2 stages, 2 RCABs per group (the paper's 32/4/4 cannot run the demo schedule on 2 cores).
# Checkpoint selection on the val split (best RMSE); test only in tools/test.py.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/landsat8-demo_x4.py',
          '../_base_/schedules/schedule_cpu-demo.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='MoCoLSKNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   base_dim=16,
                   num_stages=2, n_resblocks=2, reduction=8, mlp_type='a', mlp_layers=1,
                   dynamic_kernel_size=3, lsk_kernels=((5, 1), (7, 3)),
                   pool_bins=(1, 2, 3, 6), pool_type='ppm', block_types='S'),
    loss=dict(type='MaskedL1Loss'))
default_hooks = dict(checkpoint=dict(interval=50), logger=dict(interval=20))
