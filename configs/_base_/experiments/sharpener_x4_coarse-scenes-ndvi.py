# Per-scene sharpeners (TsHARP, DMS, ...) on coarse LST scenes with NDVI guidance at x4 through
# tools/fit_scenes.py: nothing is trained (each scene is fitted when it is downscaled) and no
# checkpoint is needed. The regressions need physical NDVI, so the guidance is not normalized.
# A config adds the sharpener's type and its non-default settings.
_base_ = ['../default_runtime.py', '../datasets/coarse-scenes-ndvi_x4.py']
train_pipeline = [dict(type='PackLSTInputs')]
test_pipeline = [dict(type='PackLSTInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_cfg = dict(type='TestLoop')
model = dict(scale={{_base_.scale}}, guidance_bands={{_base_.guidance_bands}})
