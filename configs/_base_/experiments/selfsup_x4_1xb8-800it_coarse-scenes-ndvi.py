# Self-supervised downscaling of coarse LST scenes (no fine LST) at x4 with NDVI guidance: the
# provisional recipe of configs/_base_/datasets/coarse-scenes-ndvi_x4.py, batches of 8 mixing
# Wald ('reconstruction', masked L1 in K) and native-scale ('consistency', aggregation
# consistency in K, weight 1) samples, 800 iterations on the CPU schedule, validation and a
# checkpoint every 100 iterations, the best coarse-level RMSE on the held-out blocks kept.
# A model config adds its generator and the Downscaler's `residual`.
_base_ = ['../default_runtime.py', '../datasets/coarse-scenes-ndvi_x4.py',
          '../schedules/schedule_cpu-demo.py']
model = dict(type='Downscaler', scale={{_base_.scale}},
             lst_norm=dict(stats_file={{_base_.stats_file}}),
             loss=dict(type='MaskedL1Loss', loss_weight=1.0),
             consistency_loss=dict(type='AggregationConsistencyLoss', space='temperature',
                                   loss_weight=1.0),
             generator=dict(scale={{_base_.scale}}, guidance_channels={{_base_.num_guidance}}))
train_cfg = dict(val_interval=100)
default_hooks = dict(checkpoint=dict(interval=100), logger=dict(interval=50))
