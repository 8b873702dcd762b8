# DMS on GrokLST at x4, fitted on every test tile (no training, no checkpoint):
#   python tools/test.py configs/classic/dms_x4_groklst.py
# Paper and settings (the class defaults): README.md.
_base_ = ['../_base_/experiments/sharpener_x4_groklst.py']
model = dict(type='DMS')
