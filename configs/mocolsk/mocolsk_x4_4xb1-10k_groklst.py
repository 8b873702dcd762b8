# MoCoLSK-Net at paper size (Dai et al., TGRS 2025): base dim 32, 4 stages, 4 RCABs per group,
# DMLP version A (1 layer), 3x3 dynamic weights, LSK kernels (5,1)->(7,3), PPM pooling (bins
# 1, 2, 3, 6) in the MCWG pathway, MoCoLSK (spatial selection) in every stage; x4 on GrokLST.
# Ablations of this config: configs/mocolsk/ablations/.
# Paper protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k iterations (tools/dist_train.sh CONFIG 4).
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/groklst_x4.py',
          '../_base_/schedules/schedule_10k.py']
scale = 4
model = dict(
    type='Downscaler', scale=scale, residual='bicubic',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='MoCoLSKNet', scale=scale, guidance_channels={{_base_.num_guidance}},
                   base_dim=32,
                   num_stages=4, n_resblocks=4, reduction=16, mlp_type='a', mlp_layers=1,
                   mlp_hidden=32, dynamic_kernel_size=3, lsk_kernels=((5, 1), (7, 3)),
                   pool_bins=(1, 2, 3, 6), pool_type='ppm', block_types='S'),
    loss=dict(type='MaskedL1Loss'))
