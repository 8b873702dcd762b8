# SFTL stage 2: LoRA fine-tuning (r 8, alpha 16 on the hidden Linear layers, head trained) of the
# stage-1 DNN on 300 target-domain samples; validation / test on the target domain.
#   python tools/train.py configs/retrieval/sftl/sftl-dnn_vimi-b11b12_sim-source.py
#   python tools/train.py configs/retrieval/sftl/sftl-dnn-lora_vimi-b11b12_sim-target.py
# `load_from` is stage 1's last checkpoint; for its best one add --cfg-options
# load_from=work_dirs/sftl-dnn_vimi-b11b12_sim-source/best_RMSE_iter_<N>.pth.
# Other strategies: replace `finetune` by
# dict(strategy='full'), dict(strategy='head_only', head_modules=['net.head']),
# dict(strategy='adapter', target_modules=['net.body.*'], reduction=4,
# trainable_modules=['net.head']) or the gradual config of this folder.
_base_ = ['./sftl-dnn_vimi-b11b12_sim-source.py']

model = dict(
    _delete_=True, type='FinetuneModel',
    model={{_base_.model}},
    finetune=dict(strategy='lora', r=8, alpha=16, target_modules=['net.body.*'],
                  trainable_modules=['net.head']))
load_from = 'work_dirs/sftl-dnn_vimi-b11b12_sim-source/iter_3000.pth'
train_dataloader = dict(batch_size=64, dataset={{_base_.target_train}})
val_dataloader = dict(dataset={{_base_.target_val}})
test_dataloader = dict(dataset={{_base_.target_test}})
max_iters = 300
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=50)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=1e-5)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=50))
