# CPU-sized MoCoLSK-Net for the Landsat-8 demo (x4, 120 m -> 30 m), trained by `make demo` on
# 2 CPU cores in under 10 minutes: the paper's architecture with base dim 16, 2 stages, 2 RCABs
# per group and reduction 8 (the paper's 32/4/4/16 cannot run the demo schedule on 2 cores).
# Checkpoint every 50 iterations. Paper and settings: README.md.
_base_ = ['../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(
    residual='bicubic',
    generator=dict(type='MoCoLSKNet', base_dim=16, num_stages=2, n_resblocks=2, reduction=8,
                   mlp_type='a', mlp_layers=1, dynamic_kernel_size=3,
                   lsk_kernels=((5, 1), (7, 3)), pool_bins=(1, 2, 3, 6), pool_type='ppm',
                   block_types='S'))
default_hooks = dict(checkpoint=dict(interval=50))
