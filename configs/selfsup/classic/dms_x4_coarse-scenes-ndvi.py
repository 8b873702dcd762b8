# DMS (Gao et al., 2012; configs/classic/README.md) on coarse LST scenes with NDVI guidance at
# x4: python tools/fit_scenes.py --config THIS --scenes SCENES.csv ... (no training).
_base_ = ['../../_base_/experiments/sharpener_x4_coarse-scenes-ndvi.py']
model = dict(type='DMS')
