# Guided downscaling on GrokLST at x4 (120 m LST + 30 m guidance -> 30 m LST) with the GrokLST
# paper's protocol: 4 GPUs x batch 1 (tools/dist_train.sh CONFIG 4), AdamW 1e-4, cosine restarts,
# 10k iterations, best checkpoint on val. The generator gets the dataset's K guidance bands; a
# model config adds its generator and the Downscaler's `residual`; the loss is the Downscaler's
# default (masked L1).
_base_ = ['../default_runtime.py', '../datasets/groklst_x4.py', '../schedules/schedule_10k.py']
model = dict(type='Downscaler', scale={{_base_.scale}},
             lst_norm=dict(stats_file={{_base_.stats_file}}),
             generator=dict(scale={{_base_.scale}}, guidance_channels={{_base_.num_guidance}}))
