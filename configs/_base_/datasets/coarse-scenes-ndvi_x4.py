# Coarse LST scenes with fine NDVI guidance, self-supervised (no fine LST), x4: groklst's
# CoarseSceneDataset (groklst/datasets/coarse_scene_dataset.py). `tools/fit_scenes.py --scenes`
# replaces `scenes_file` everywhere and writes `stats_file` (normalization statistics of the
# scenes' coarse LST and guidance) into its work dir; to train with tools/train.py or
# tools/dist_train.sh instead, use the config that `tools/fit_scenes.py --prepare-only` writes.
#
# Provisional recipe (issue 15): Wald's protocol with the plain box mean (LR' valid where >= 90 %
# of its coarse pixels are) + half of the samples at the native scale with the aggregation-
# consistency loss; targets of 32 x 32 coarse pixels; 10 % of the 16 x 16-pixel blocks of every
# scene (at most 8) held out for model selection at the coarse level.
scale = 4
scenes_file = 'data/scenes/SCENES.csv'
stats_file = 'data/scenes/scene_stats.json'
guidance_bands = ['ndvi']
# K, the number of guidance bands (guided model configs use {{_base_.num_guidance}}).
num_guidance = len(guidance_bands)
crop_size = 32
native_fraction = 0.5
degradation = dict(type='BoxDegradation', min_valid_fraction=0.9)

train_pipeline = [
    dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
    dict(type='PairedFlipRot', flip_prob=0.5, rot90_prob=0.5),
    dict(type='PackLSTInputs'),
]
test_pipeline = [
    dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
    dict(type='PackLSTInputs'),
]
dataset_type = 'CoarseSceneDataset'
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=scenes_file, split='train', scale=scale,
                 guidance_bands=guidance_bands, crop_size=crop_size,
                 native_fraction=native_fraction, degradation=degradation,
                 samples_per_epoch=800, val_fraction=0.1, val_block_size=16, val_max_blocks=8,
                 seed=0, cache_scenes=8, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=scenes_file, split='val', scale=scale,
                 guidance_bands=guidance_bands, crop_size=crop_size, degradation=degradation,
                 val_fraction=0.1, val_block_size=16, val_max_blocks=8, seed=0,
                 cache_scenes=8, pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=scenes_file, split='test', scale=scale,
                 guidance_bands=guidance_bands, crop_size=crop_size, degradation=degradation,
                 val_fraction=0.1, val_block_size=16, val_max_blocks=8, seed=0,
                 cache_scenes=8, pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='LSTMetric')
test_evaluator = dict(type='LSTMetric')
