# DisTrad (Kustas et al., 2003): quadratic NDVI regression on homogeneous LR pixels + residual, x4.
# Fitted on every test tile at predict time: no training, no checkpoint
#   python tools/test.py configs/classic/distrad_x4_groklst.py
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/groklst_x4.py']
scale = 4
# The regression needs physical NDVI / reflectance: the guidance is not normalized.
test_pipeline = [dict(type='LoadLSTSample'), dict(type='PackLSTInputs')]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_cfg = dict(type='TestLoop')
model = dict(type='DisTrad', scale=scale, ndvi_band='ndvi',
             guidance_bands={{_base_.guidance_bands}}, homogeneous_fraction=0.25,
             residual='nearest')
