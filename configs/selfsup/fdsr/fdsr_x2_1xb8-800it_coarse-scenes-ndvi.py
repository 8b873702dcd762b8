# fdsr self-supervised on coarse LST scenes with NDVI guidance at x2; else as the x4 config.
_base_ = ['./fdsr_x4_1xb8-800it_coarse-scenes-ndvi.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
