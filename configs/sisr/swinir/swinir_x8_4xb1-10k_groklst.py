# SwinIR at paper size (Liang et al., ICCVW 2021): the classical-SR model, C=180, six residual
# Swin groups of six blocks, six heads, window 8, MLP ratio 2, pixel-shuffle reconstruction.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip (SwinIR reconstructs the whole image): residual=None.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='SwinIR', scale=scale, embed_dim=180, depths=(6, 6, 6, 6, 6, 6),
                   num_heads=(6, 6, 6, 6, 6, 6), window_size=8, mlp_ratio=2.0,
                   upsampler='pixelshuffle', resi_connection='1conv'),
    loss=dict(type='MaskedL1Loss'))
