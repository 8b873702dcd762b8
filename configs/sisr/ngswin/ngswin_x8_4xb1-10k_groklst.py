# NGswin at paper size (Choi et al., CVPR 2023): D=64, encoder depths (6, 4, 4) with (6, 4, 4)
# heads, decoder depth 6 with 6 heads, window 8, N-gram 2, MLP ratio 2.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
# x8 is not in the paper: the same one-conv + pixel-shuffle reconstruction with s=8.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='NGswin', scale=scale, embed_dim=64, depths=(6, 4, 4),
                   num_heads=(6, 4, 4), dec_depth=6, dec_num_heads=6,
                   ngrams=(2, 2, 2, 2), window_size=8, mlp_ratio=2.0),
    loss=dict(type='MaskedL1Loss'))
