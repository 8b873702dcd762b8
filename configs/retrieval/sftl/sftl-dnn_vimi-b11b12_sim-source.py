# SFTL stage 1: pre-train the DNN (3 x 64, ReLU) on the simulated VIMI source domain.
#   python tools/train.py configs/retrieval/sftl/sftl-dnn_vimi-b11b12_sim-source.py
# Its best checkpoint is the `load_from` of the stage-2 configs of this folder.
_base_ = ['../../_base_/schedules/schedule_retrieval.py',
          './_base_/vimi-splitwindow_sim.py']

model = dict(type='MLPRetriever', input_names={{_base_.input_names}},
             target_names={{_base_.target_names}}, hidden_sizes=(64, 64, 64),
             norm=dict(dataset={{_base_.source_train}}))
train_cfg = dict(max_iters=3000)
param_scheduler = dict(T_max=3000, eta_min=2e-5)
