# Plain MLP retriever (2 x 64, ReLU) for Landsat-8 B10 single-channel LST on simulated samples.
# CPU: trains in well under 2 minutes (1000 iterations of 256 samples).
#   python tools/train.py configs/retrieval/mlp_l8-b10-singlechannel_sim.py
#   python tools/test.py configs/retrieval/mlp_l8-b10-singlechannel_sim.py \
#       work_dirs/mlp_l8-b10-singlechannel_sim/best_RMSE_iter_*.pth
_base_ = ['../_base_/default_runtime.py',
          '../_base_/datasets/retrieval_l8-b10-singlechannel_sim.py']

model = dict(
    type='MLPRetriever',
    input_names={{_base_.input_names}},
    target_names={{_base_.target_names}},
    hidden_sizes=(64, 64), act_cfg='ReLU', dropout=0.0,
    # train-split statistics of the training dataset (checkpoints carry them as buffers)
    norm=dict(dataset={{_base_.train_dataset}}),
    loss='mse')

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
