# SFTL stage 1: pre-train the DNN (3 x 64, ReLU) on the simulated VIMI source domain.
#   python tools/train.py configs/retrieval/sftl/sftl-dnn_vimi-b11b12_sim-source.py
# Its best checkpoint is the `load_from` of the stage-2 configs of this folder.
_base_ = ['../../_base_/default_runtime.py', './_base_/vimi-splitwindow_sim.py']

model = dict(type='MLPRetriever', input_names={{_base_.input_names}},
             target_names={{_base_.target_names}}, hidden_sizes=(64, 64, 64),
             norm=dict(dataset={{_base_.source_train}}))
train_dataloader = dict(batch_size=256, num_workers=0, persistent_workers=False,
                        sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset={{_base_.source_train}})
val_dataloader = dict(batch_size=1024, num_workers=0, persistent_workers=False,
                      drop_last=False, sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset={{_base_.source_val}})
test_dataloader = dict(batch_size=1024, num_workers=0, persistent_workers=False,
                       drop_last=False, sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset={{_base_.source_test}})
max_iters = 3000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=2e-3))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=2e-5)
default_hooks = dict(logger=dict(type='LoggerHook', interval=100),
                     checkpoint=dict(type='CheckpointHook', interval=500, by_epoch=False,
                                     save_last=True, max_keep_ckpts=1, save_best='RMSE',
                                     rule='less'))
