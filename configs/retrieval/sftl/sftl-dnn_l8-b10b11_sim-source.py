# SFTL stage 1 for Landsat-8: pre-train the DNN (3 x 64, ReLU) on the simulated TIRS source
# domain (split-window pair B10 / B11; BT10, BT11, WVC, dBT, WVC x dBT -> LST). The shipped
# `sftl` weights of tools/retrieve.py (data/weights/retrieval/README.md):
#   python tools/train.py configs/retrieval/sftl/sftl-dnn_l8-b10b11_sim-source.py
# Fine-tune it on your own target samples as the stage-2 configs of this folder do (load_from).
_base_ = ['../../_base_/schedules/schedule_retrieval.py',
          './_base_/l8-splitwindow_sim.py']

model = dict(type='MLPRetriever', input_names={{_base_.input_names}},
             target_names={{_base_.target_names}}, hidden_sizes=(64, 64, 64),
             norm=dict(dataset={{_base_.source_train}}))
train_cfg = dict(max_iters=3000)
param_scheduler = dict(T_max=3000, eta_min=2e-5)
