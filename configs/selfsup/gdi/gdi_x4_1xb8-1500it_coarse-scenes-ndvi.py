# Guided detail injection (GDI) with NDVI guidance at x4, 1500 iterations: the default of
# tools/fit_scenes.py at x4 (the sensor-agnostic NDVI recipe, "W-NDVI" in
# docs/selfsupervised.md).
# Recipe: configs/_base_/experiments/gdi_x4_1xb8-1500it_coarse-scenes-ndvi.py
_base_ = ['../../_base_/experiments/gdi_x4_1xb8-1500it_coarse-scenes-ndvi.py']
