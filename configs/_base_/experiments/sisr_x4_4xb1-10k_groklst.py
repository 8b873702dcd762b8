# Single-image downscaling (no guidance) on GrokLST at x4 (120 m -> 30 m) with the GrokLST
# paper's protocol: 4 GPUs x batch 1 (tools/dist_train.sh CONFIG 4), AdamW 1e-4, cosine restarts,
# 10k iterations, best checkpoint on val. A model config adds its generator and the Downscaler's
# `residual`; the loss is the Downscaler's default (masked L1).
_base_ = ['../default_runtime.py', '../datasets/groklst_x4_sisr.py',
          '../schedules/schedule_10k.py']
model = dict(type='Downscaler', scale={{_base_.scale}},
             lst_norm=dict(stats_file={{_base_.stats_file}}),
             generator=dict(scale={{_base_.scale}}))
