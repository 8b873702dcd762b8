# HAUNet at paper size (Wang et al., IEEE TGRS 2023): C=96, encoder/decoder levels of (5, 5)
# blocks, 10 middle blocks, heads (1, 2, 4).
# x2 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# The original adds the bilinearly upsampled LR to its output: residual='bilinear'.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x2_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 2
model = dict(
    type='Downscaler', scale=scale, residual='bilinear',
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='HAUNet', scale=scale, width=96, middle_blk_num=10, enc_blk_nums=(5, 5),
                   dec_blk_nums=(5, 5), heads=(1, 2, 4)),
    loss=dict(type='MaskedL1Loss'))
