# The GrokLST paper's schedule: AdamW (lr 1e-4, weight decay 1e-5), cosine annealing with warm
# restarts every 2.5k iterations, 10k iterations, validation every 1k.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=10000, val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-5))
param_scheduler = dict(type='CosineRestartLR', by_epoch=False, periods=[2500] * 4,
                       restart_weights=[1, 1, 1, 1], eta_min=1e-7)
