# Data Mining Sharpener (Gao et al., 2012): global + local regression trees on all bands, x4.
# Fitted on every test tile at predict time: no training, no checkpoint
#   python tools/test.py configs/classic/dms_x4_groklst.py
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/groklst_x4.py']
scale = 4
# The regression needs physical NDVI / reflectance: the guidance is not normalized.
test_pipeline = [dict(type='LoadLSTSample'), dict(type='PackLSTInputs')]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_cfg = dict(type='TestLoop')
# Local models: cells of 16 LR pixels (64 x 64 HR pixels), sampling windows 25 % larger.
model = dict(type='DMS', scale=scale, guidance_bands={{_base_.guidance_bands}}, regressor='bagging',
             n_estimators=10, window_size=16, window_extension=0.25, sample_fraction=0.8,
             residual='nearest', random_state=0)
