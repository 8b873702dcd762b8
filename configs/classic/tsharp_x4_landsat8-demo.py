# TsHARP (Agam et al., 2007): LST = a + b·fc(NDVI) fitted per tile at LR + LR residual, x4.
# Fitted on every test tile at predict time: no training, no checkpoint
#   python tools/test.py configs/classic/tsharp_x4_landsat8-demo.py
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/landsat8-demo_x4.py']
scale = 4
# The regression needs physical NDVI / reflectance: the guidance is not normalized.
test_pipeline = [dict(type='LoadLSTSample', cache_scenes=True), dict(type='PackLSTInputs')]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_cfg = dict(type='TestLoop')
model = dict(type='TsHARP', scale=scale, ndvi_band='ndvi', guidance_bands={{_base_.guidance_bands}},
             predictor='fc', residual='nearest')
