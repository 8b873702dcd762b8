# Guided detail injection (GDI) with NDVI guidance at x2, 1500 iterations: the default of
# tools/fit_scenes.py at x2. The 32-pixel crops and 8-pixel held-out blocks are in coarse pixels
# as at x4.
_base_ = ['./gdi_x4_1xb8-1500it_coarse-scenes-ndvi.py']
scale = 2
model = dict(scale=scale)
train_dataloader = dict(dataset=dict(scale=scale))
val_dataloader = dict(dataset=dict(scale=scale))
test_dataloader = dict(dataset=dict(scale=scale))
