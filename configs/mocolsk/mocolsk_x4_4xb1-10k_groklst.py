# MoCoLSK-Net at paper size on GrokLST at x4 (120 m -> 30 m); paper, settings and reproduced
# tables: README.md. The paper's settings are spelled out: each config of ablations/ changes
# one of them.
_base_ = ['../_base_/experiments/gisr_x4_4xb1-10k_groklst.py']
model = dict(
    residual='bicubic',
    generator=dict(type='MoCoLSKNet', base_dim=32, num_stages=4, n_resblocks=4, reduction=16,
                   mlp_type='a', mlp_layers=1, mlp_hidden=32, dynamic_kernel_size=3,
                   lsk_kernels=((5, 1), (7, 3)), pool_bins=(1, 2, 3, 6), pool_type='ppm',
                   block_types='S'))
