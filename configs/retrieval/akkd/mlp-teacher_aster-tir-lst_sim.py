# AK-KD "large model" (teacher): MLP 3 x 128 ReLU, BT10-14 -> LST (K), global simulated ASTER set.
#   python tools/train.py configs/retrieval/akkd/mlp-teacher_aster-tir-lst_sim.py
_base_ = ['../../_base_/schedules/schedule_retrieval.py',
          './_base_aster-tir_sim.py']

model = dict(type='MLPRetriever', input_names={{_base_.input_names}},
             target_names={{_base_.target_names}}, hidden_sizes=(128, 128, 128),
             act_cfg='ReLU', dropout=0.0, norm=dict(dataset={{_base_.train_dataset}}),
             loss='mse')
train_cfg = dict(max_iters=1500)
param_scheduler = dict(T_max=1500, eta_min=2e-5)
