# DMS on the Landsat-8 demo at x4, fitted on every test tile (no training, no checkpoint):
#   python tools/test.py configs/classic/dms_x4_landsat8-demo.py
# Paper and settings (the class defaults): README.md.
_base_ = ['../_base_/experiments/sharpener_x4_landsat8-demo.py']
model = dict(type='DMS')
