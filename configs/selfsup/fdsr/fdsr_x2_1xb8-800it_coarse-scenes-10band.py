# fdsr self-supervised on coarse LST scenes with the 10 benchmark guidance bands at x2.
_base_ = ['./fdsr_x4_1xb8-800it_coarse-scenes-10band.py']
scale = 2
model = dict(scale=scale, generator=dict(scale=scale))
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
