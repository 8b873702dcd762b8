# Simulated Landsat-8 TIRS retrieval samples, single channel (B10): inputs BT10, WVC, B10
# emissivity and view angle -> LST (K). The simulation (LOWTRAN7 LUT + ECOSTRESS emissivities,
# see groklst/simulation/simulator.py) runs once with its fixed seed and is cached under
# data/simulated/; train/val/test are disjoint 80/10/10 random cuts of it, and normalization
# statistics come from the train cut only (RetrievalDataset.norm_stats).
simulation = dict(sensor='landsat8_tirs', n_samples=20000, seed=0)
input_names = ['bt:0', 'wvc', 'lse:0', 'view_angle']
target_names = ['lst']
split_ratios = (0.8, 0.1, 0.1)
dataset_type = 'RetrievalDataset'
_ds = dict(type=dataset_type, simulation=simulation, inputs=input_names, targets=target_names,
           split_ratios=split_ratios)
train_dataset = dict(_ds, split='train')
train_dataloader = dict(
    batch_size=256, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=train_dataset)
val_dataloader = dict(
    batch_size=1024, num_workers=0, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_ds, split='val', test_mode=True))
test_dataloader = dict(
    batch_size=1024, num_workers=0, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_ds, split='test', test_mode=True))
# RMSE / MAE / BIAS / PCC / R2 in K, and by water-vapour bin 0-1-2-3-4-5-inf g cm-2.
val_evaluator = dict(type='RetrievalMetric')
test_evaluator = dict(type='RetrievalMetric')
