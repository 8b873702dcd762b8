# RTE-coupled physics-informed retriever (paper: README.md) for Landsat-8 B10
# single-channel LST on simulated samples: same inputs and trunk (2 x 64) as
# mlp_l8-b10-singlechannel_sim.py, plus heads for tau, L_up, L_down supervised by the simulation,
# the RTE residual in radiance space (lambda_rte) and physical-bounds penalties.
#   python tools/train.py configs/retrieval/pinn_l8-b10-singlechannel_sim.py
#   python tools/test.py configs/retrieval/pinn_l8-b10-singlechannel_sim.py CHECKPOINT
_base_ = ['./mlp_l8-b10-singlechannel_sim.py']

target_names = ['lst', 'tau:0', 'l_up:0', 'l_down:0']
simulation = {{_base_.simulation}}
input_names = {{_base_.input_names}}
_ds = dict(type='RetrievalDataset', simulation=simulation, inputs=input_names,
           targets=target_names, split_ratios={{_base_.split_ratios}})
train_dataloader = dict(dataset=dict(_ds, split='train'))
val_dataloader = dict(dataset=dict(_ds, split='val', test_mode=True))
test_dataloader = dict(dataset=dict(_ds, split='test', test_mode=True))

model = dict(
    _delete_=True,
    type='PINNRetriever',
    input_names=input_names,
    target_names=target_names,
    sensor='landsat8_tirs', band='B10', bt_name='bt:0', emissivity_name='lse:0',
    hidden_sizes=(64, 64), act_cfg='ReLU',
    lambda_rte=1.0, lambda_aux=1.0, lambda_bounds=1.0, lst_range=(200.0, 350.0),
    norm=dict(dataset=dict(_ds, split='train')))
