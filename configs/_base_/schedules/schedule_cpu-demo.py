# Short CPU schedule for the Landsat-8 demo (2 cores): a larger learning rate than the paper's
# because the run is short, one cosine cycle, validation every 50 iterations.
max_iters = 800
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=50)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=5e-4, weight_decay=1e-5))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters,
                       eta_min=1e-6)
