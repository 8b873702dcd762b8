# FDSR (He et al., CVPR 2021; configs/gisr/fdsr/README.md) fitted self-supervised on coarse
# LST scenes with NDVI guidance at x4 (scale-invariance recipe; the fast guided zoo model).
# Recipe: configs/_base_/datasets/coarse-scenes-ndvi_x4.py; usage: configs/selfsup/README.md.
_base_ = ['../../_base_/experiments/selfsup_x4_1xb8-800it_coarse-scenes-ndvi.py']
model = dict(residual='bicubic', generator=dict(type='FDSR'))
