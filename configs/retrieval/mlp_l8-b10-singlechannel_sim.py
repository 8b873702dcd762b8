# Plain MLP retriever (2 x 64, ReLU) for Landsat-8 B10 single-channel LST on simulated samples.
# CPU: trains in well under 2 minutes (1000 iterations of 256 samples).
#   python tools/train.py configs/retrieval/mlp_l8-b10-singlechannel_sim.py
#   python tools/test.py configs/retrieval/mlp_l8-b10-singlechannel_sim.py \
#       work_dirs/mlp_l8-b10-singlechannel_sim/best_RMSE_iter_*.pth
_base_ = ['../_base_/schedules/schedule_retrieval.py',
          '../_base_/datasets/retrieval_l8-b10-singlechannel_sim.py']

model = dict(
    type='MLPRetriever',
    input_names={{_base_.input_names}},
    target_names={{_base_.target_names}},
    hidden_sizes=(64, 64), act_cfg='ReLU', dropout=0.0,
    # train-split statistics of the training dataset (checkpoints carry them as buffers)
    norm=dict(dataset={{_base_.train_dataset}}),
    loss='mse')

# schedule: ../_base_/schedules/schedule_retrieval.py (1000 iterations)
