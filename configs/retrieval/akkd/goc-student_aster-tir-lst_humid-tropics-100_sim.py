# AK-KD student: MLP 2 x 64 on 100 humid-tropics samples, trained with the GOC
# alpha * MSE(y, y_s) + (1 - alpha) * MSE(y_t, y_s) against the frozen global teacher.
#   python tools/train.py configs/retrieval/akkd/goc-student_aster-tir-lst_humid-tropics-100_sim.py \
#       --cfg-options model.teacher_checkpoint=work_dirs/mlp-teacher_aster-tir-lst_sim/best_RMSE_iter_1500.pth
_base_ = ['./mlp-teacher_aster-tir-lst_sim.py']

region = 'humid_tropics'
region_samples = 100
_ds = dict(type='RetrievalDataset', simulation={{_base_.simulation}},
           inputs={{_base_.input_names}}, targets={{_base_.target_names}},
           split_ratios=(0.8, 0.1, 0.1), profile_domain=region)
train_dataset = dict(_ds, split='train', max_samples=region_samples)
train_dataloader = dict(batch_size=100, dataset=train_dataset)
val_dataloader = dict(dataset=dict(_ds, split='val', test_mode=True))
test_dataloader = dict(dataset=dict(_ds, split='test', test_mode=True))

_teacher = {{_base_.model}}
model = dict(_delete_=True, type='DistillationRetriever', input_names={{_base_.input_names}},
             target_names={{_base_.target_names}}, hidden_sizes=(64, 64), act_cfg='ReLU',
             norm=dict(dataset=train_dataset), alpha=0.3,
             teacher=_teacher, teacher_checkpoint=None)
max_iters = 300
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=50)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=3e-3))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=False, T_max=max_iters, eta_min=3e-5)
default_hooks = dict(checkpoint=dict(interval=50))
