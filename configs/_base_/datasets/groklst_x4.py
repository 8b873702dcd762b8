# GrokLST benchmark (Dai et al., TGRS 2025) at x4: 120 m LST → 30 m with 10 guidance bands.
# Users download it into data/groklst (layout in data/README.md) and fit normalization
# statistics on the train split with
#   python tools/dataset_converters/compute_stats.py configs/_base_/datasets/groklst_x4.py
# Model selection uses `val`; `test` is only read by tools/test.py.
scale = 4
data_root = 'data/groklst'
stats_file = data_root + '/stats.json'
guidance_bands = ['dem', 'deepblue', 'blue', 'green', 'red', 'vre', 'nir', 'ndmvi', 'ndvi',
                  'ndwi']
# K, the number of guidance bands (guided model configs use {{_base_.num_guidance}}).
num_guidance = len(guidance_bands)

train_pipeline = [
    dict(type='LoadLSTSample'),
    dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
    dict(type='PairedFlipRot', flip_prob=0.5, rot90_prob=0.5),
    dict(type='PackLSTInputs'),
]
test_pipeline = [
    dict(type='LoadLSTSample'),
    dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
    dict(type='PackLSTInputs'),
]
dataset_type = 'GrokLSTDataset'
train_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='train', scale=scale,
                 guidance_bands=guidance_bands, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='val', scale=scale,
                 guidance_bands=guidance_bands, pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='test', scale=scale,
                 guidance_bands=guidance_bands, pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='LSTMetric')
test_evaluator = dict(type='LSTMetric')
