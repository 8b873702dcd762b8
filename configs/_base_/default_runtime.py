# Runtime defaults shared by every groklst config.
default_scope = 'groklst'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Model selection on the VAL split (lowest RMSE); the test split is touched only by
    # tools/test.py. Plain file names (no timestamps) so --resume finds `last_checkpoint`.
    checkpoint=dict(type='CheckpointHook', interval=1000, by_epoch=False, save_last=True,
                    max_keep_ckpts=2, save_best='RMSE', rule='less'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
# Resume continues bit-identically also for models that draw random numbers (dropout, DropPath).
custom_hooks = [dict(type='RNGStateHook')]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),  # tools switch this to gloo on CPU-only machines
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
