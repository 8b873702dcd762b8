# Omni-SR at paper size (Wang et al., CVPR 2023): C=64, five OSAGs of one OSA block, window 8,
# relative position bias.
# x8 on GrokLST without guidance; GrokLST protocol: 4 GPUs x batch 1, AdamW 1e-4, 10k
# iterations (tools/dist_train.sh CONFIG 4).
# No interpolation skip in the original design: residual=None.
_base_ = ['../../_base_/default_runtime.py', '../../_base_/datasets/groklst_x8_sisr.py',
          '../../_base_/schedules/schedule_10k.py']
scale = 8
model = dict(
    type='Downscaler', scale=scale, residual=None,
    lst_norm=dict(stats_file={{_base_.stats_file}}, key='lst'),
    generator=dict(type='OmniSR', scale=scale, num_feat=64, res_num=5, block_num=1, window_size=8,
                   with_pe=True),
    loss=dict(type='MaskedL1Loss'))
