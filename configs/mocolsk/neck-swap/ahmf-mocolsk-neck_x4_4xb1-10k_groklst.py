# AHMF with MoCoLSK's fusion: the four per-level fusion units of AHMF (Zhong et al., IEEE TIP 2021)
# replaced by the MoCoLSK neck of Dai et al. (GrokLST, IEEE TGRS 2025; modality-conditioned large
# selective kernels, PPM pooling in the MCWG pathway) - a neck swap from config, no code.
# Any registered neck works here (tools/analysis/list_models.py --kind neck); a list of four
# configs sets one per level (deepest first). Not a paper configuration.
# Everything else as configs/gisr/ahmf/ahmf_x4_4xb1-10k_groklst.py (paper size, 4 GPUs x batch 1).
_base_ = ['../../gisr/ahmf/ahmf_x4_4xb1-10k_groklst.py']
model = dict(generator=dict(neck=dict(type='MoCoLSKBlock', pool_type='ppm')))
