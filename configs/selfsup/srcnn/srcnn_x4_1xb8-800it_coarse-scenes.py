# SRCNN (Dong et al., ECCV 2014; configs/sisr/srcnn/README.md), single-image, fitted
# self-supervised on coarse LST scenes at x4 as a residual on bicubic. The guidance files only
# define the output grid (they are checked but not read for training).
_base_ = ['../../_base_/experiments/selfsup_x4_1xb8-800it_coarse-scenes-ndvi.py']
train_pipeline = [dict(type='PairedFlipRot', flip_prob=0.5, rot90_prob=0.5),
                  dict(type='PackLSTInputs')]
test_pipeline = [dict(type='PackLSTInputs')]
model = dict(residual='bicubic', generator=dict(_delete_=True, type='SRCNN', scale=4))
train_dataloader = dict(dataset=dict(use_guidance=False, guidance_bands=None,
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(use_guidance=False, guidance_bands=None,
                                   pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(use_guidance=False, guidance_bands=None,
                                    pipeline=test_pipeline))
