# FDSR (He et al., CVPR 2021; configs/gisr/fdsr/README.md) fitted self-supervised on coarse
# LST scenes with NDVI guidance at x4: the fast guided default of tools/fit_scenes.py.
# Recipe: configs/_base_/datasets/coarse-scenes-ndvi_x4.py; usage: configs/selfsup/README.md.
_base_ = ['../../_base_/experiments/selfsup_x4_1xb8-800it_coarse-scenes-ndvi.py']
model = dict(residual='bicubic', generator=dict(type='FDSR'))
