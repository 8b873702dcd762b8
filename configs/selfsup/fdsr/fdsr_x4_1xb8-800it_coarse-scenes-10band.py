# fdsr self-supervised on coarse LST scenes with the 10 Landsat-8 guidance bands of the
# benchmark (TOA reflectances coastal..swir2, NDVI, NDWI, NDBI) at x4; else as the NDVI config.
# For other sensors, copy this file and list your bands, in the order of your guidance files.
_base_ = ['./fdsr_x4_1xb8-800it_coarse-scenes-ndvi.py']
guidance_bands = ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'ndvi', 'ndwi', 'ndbi']
num_guidance = len(guidance_bands)
model = dict(generator=dict(guidance_channels=num_guidance))
train_dataloader = dict(dataset=dict(guidance_bands=guidance_bands))
val_dataloader = dict(dataset=dict(guidance_bands=guidance_bands))
test_dataloader = dict(dataset=dict(guidance_bands=guidance_bands))
