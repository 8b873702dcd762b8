# SFTL stage 2 with gradual unfreezing (README.md) of the tabular Transformer: head +
# final norm first, then block 1, block 0 and the feature tokenizer, one more group every 75
# iterations, driven by GradualUnfreezeHook. Stage 1 is sftl-transformer_vimi-b11b12_sim-source.py;
# `load_from` is its last checkpoint (pass a best_RMSE_iter_*.pth with --cfg-options load_from=..):
#   python tools/train.py configs/retrieval/sftl/sftl-transformer_vimi-b11b12_sim-source.py
#   python tools/train.py \
#       configs/retrieval/sftl/sftl-transformer-gradual_vimi-b11b12_sim-target.py
_base_ = ['./sftl-transformer_vimi-b11b12_sim-source.py']

model = dict(
    _delete_=True, type='FinetuneModel',
    model={{_base_.model}},
    finetune=dict(strategy='gradual', interval=75,
                  groups=[['net.head', 'net.norm'], 'net.blocks.1', 'net.blocks.0',
                          'net.tokenizer']))
custom_hooks = [dict(type='RNGStateHook'), dict(type='GradualUnfreezeHook')]
custom_imports = dict(imports=['groklst.models.finetune'], allow_failed_imports=False)
load_from = 'work_dirs/sftl-transformer_vimi-b11b12_sim-source/iter_3000.pth'
train_dataloader = dict(batch_size=64, dataset={{_base_.target_train}})
val_dataloader = dict(dataset={{_base_.target_val}})
test_dataloader = dict(dataset={{_base_.target_test}})
max_iters = 300
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=50)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=1e-5)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=50))
