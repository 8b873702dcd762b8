# Tabular retrieval schedule (CPU, seconds to minutes): Adam, one cosine decay by iteration,
# validation and checkpoints every 500 iterations, the best val RMSE kept (never the test split).
# A config that changes the length sets train_cfg.max_iters and param_scheduler.T_max together.
_base_ = ['../default_runtime.py']
max_iters = 1000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=2e-3))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=1e-5)
default_hooks = dict(logger=dict(type='LoggerHook', interval=100),
                     checkpoint=dict(type='CheckpointHook', interval=500, by_epoch=False,
                                     save_last=True, max_keep_ckpts=1, save_best='RMSE',
                                     rule='less'))
