# DMS on coarse LST scenes with the 10 benchmark guidance bands at x4 (no training).
_base_ = ['./dms_x4_coarse-scenes-ndvi.py']
guidance_bands = ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2',
                  'ndvi', 'ndwi', 'ndbi']
num_guidance = len(guidance_bands)
model = dict(guidance_bands=guidance_bands)
train_dataloader = dict(dataset=dict(guidance_bands=guidance_bands))
val_dataloader = dict(dataset=dict(guidance_bands=guidance_bands))
test_dataloader = dict(dataset=dict(guidance_bands=guidance_bands))
