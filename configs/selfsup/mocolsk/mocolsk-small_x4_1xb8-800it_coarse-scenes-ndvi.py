# A small MoCoLSK-Net (Dai et al., GrokLST, IEEE TGRS 2025; the CPU size of the Landsat-8 demo:
# base dim 16, 2 stages) fitted self-supervised on coarse LST scenes with NDVI guidance at x4.
# Recipe: configs/_base_/datasets/coarse-scenes-ndvi_x4.py; usage: configs/selfsup/README.md.
_base_ = ['../../_base_/experiments/selfsup_x4_1xb8-800it_coarse-scenes-ndvi.py']
model = dict(
    residual='bicubic',
    generator=dict(type='MoCoLSKNet', base_dim=16, num_stages=2, n_resblocks=2, reduction=8,
                   mlp_type='a', mlp_layers=1, dynamic_kernel_size=3,
                   lsk_kernels=((5, 1), (7, 3)), pool_bins=(1, 2, 3, 6), pool_type='ppm',
                   block_types='S'))
