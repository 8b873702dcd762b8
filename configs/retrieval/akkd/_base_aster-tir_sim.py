# Simulated ASTER TIR retrieval samples for AK-KD (paper: README.md): inputs BT10-14 (K)
# -> one target per model (LST in K, or an LSE of bands 10-14). Simulation: LOWTRAN7 LUT +
# ECOSTRESS spectra, NEdT 0.3 K, 20 000 samples, seed 0 (cached under data/simulated/);
# 80/10/10 split drawn before any regional filter. `region` selects a profile domain of
# groklst.simulation.PROFILE_DOMAINS (None = global); `region_samples` caps the train split.
simulation = dict(sensor='aster_tir', n_samples=20000, seed=0)
input_names = ['bt:0', 'bt:1', 'bt:2', 'bt:3', 'bt:4']
target_names = ['lst']
region = None
region_samples = None
dataset_type = 'RetrievalDataset'
_ds = dict(type=dataset_type, simulation=simulation, inputs=input_names, targets=target_names,
           split_ratios=(0.8, 0.1, 0.1), profile_domain=region)
train_dataset = dict(_ds, split='train', max_samples=region_samples)
train_dataloader = dict(batch_size=256, num_workers=0, persistent_workers=False,
                        sampler=dict(type='InfiniteSampler', shuffle=True), dataset=train_dataset)
val_dataloader = dict(batch_size=1024, num_workers=0, persistent_workers=False, drop_last=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(_ds, split='val', test_mode=True))
test_dataloader = dict(batch_size=1024, num_workers=0, persistent_workers=False, drop_last=False,
                       sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset=dict(_ds, split='test', test_mode=True))
val_evaluator = dict(type='RetrievalMetric')
test_evaluator = dict(type='RetrievalMetric')
