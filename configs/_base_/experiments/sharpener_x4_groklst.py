# Per-scene regression sharpeners (TsHARP, DisTrad, DMS) on GrokLST at x4 (120 m -> 30 m):
# fitted on every test tile at predict time, no training and no checkpoint
# (python tools/test.py CONFIG). The regressions need physical NDVI / reflectance, so the guidance
# is not normalized. A config adds the sharpener's type and its non-default settings.
_base_ = ['../default_runtime.py', '../datasets/groklst_x4.py']
test_pipeline = [dict(type='LoadLSTSample'), dict(type='PackLSTInputs')]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_cfg = dict(type='TestLoop')
model = dict(scale={{_base_.scale}}, guidance_bands={{_base_.guidance_bands}})
