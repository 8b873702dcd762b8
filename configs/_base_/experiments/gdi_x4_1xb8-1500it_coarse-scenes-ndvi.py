# Guided detail injection (GDI, groklst/models/downscalers/gdi.py) fitted self-supervised on
# coarse LST scenes (no fine LST) with NDVI guidance at x4: the measured recipe of issue 15
# (docs/selfsupervised.md).
# * samples: every training crop is a native-scale 'native_wald' crop of 32 x 32 coarse px with
#   the fine guidance under it (the model makes LR' = box mean of the crop itself); crops are
#   shared among the scenes in proportion to their valid coarse pixels; flips / rot90;
# * validation (self-supervised, never fine truth): 20 % of the 8 x 8-pixel coarse blocks of every
#   scene (at most 32) are held out of training and scored at the coarse level (pooled RMSE)
#   every 500 iterations; the best checkpoint is kept;
# * model: h = per-pixel MLP (2 x 32, GELU, zero-initialised output) on [normalised U(LR),
#   NDVI]; footprint sigma fitted from 0.3 coarse px (lr x10, no weight decay); output band
#   limit sigma_out = sigma_fit x coarse pixel size (fitted, no cap: a cap in metres is a prior
#   on the wanted fine resolution, model.band_limit.max_m); no projection;
# * AdamW 1e-3 (no weight decay), cosine to 5e-5, batch 8, 1500 iterations, masked MSE in K^2.
_base_ = ['../default_runtime.py', '../datasets/coarse-scenes-ndvi_x4.py']
max_iters = 1500
crop_size = 32
# at most 32 held-out blocks per scene, so that validation stays short on large scenes (the
# benchmark's and the speed check's scenes hold fewer)
gdi_dataset = dict(crop_size=crop_size, native_fraction=1.0, native_kind='native_wald',
                   val_fraction=0.2, val_block_size=8, val_max_blocks=32)
train_dataloader = dict(dataset=dict(**gdi_dataset, samples_per_epoch=8 * max_iters,
                                     scene_weights='valid_pixels'))
val_dataloader = dict(dataset=dict(**gdi_dataset))
test_dataloader = dict(dataset=dict(**gdi_dataset))
model = dict(type='GuidedDetailDownscaler', scale={{_base_.scale}},
             guidance_channels={{_base_.num_guidance}},
             lst_norm=dict(stats_file={{_base_.stats_file}}),
             hidden=32, layers=2, lr_context=True,
             footprint=dict(sigma=0.3, learn=True),
             band_limit=dict(factor=1.0, max_m=None),
             min_valid_fraction=0.8, consistency=None,
             loss=dict(type='MaskedMSELoss'))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.0),
                     paramwise_cfg=dict(custom_keys={
                         'footprint.raw_sigma': dict(lr_mult=10.0, decay_mult=0.0)}))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=5e-5)
default_hooks = dict(checkpoint=dict(interval=500, save_best='RMSE_pooled', rule='less'),
                     logger=dict(interval=50))
