# DKN on the Landsat-8 demo at x4; paper and settings: README.md.
# CPU-sized: the paper widths (32, 64, 128) at full HR resolution cost ~165 GFLOP per step
# (< 0.2 it/s on 2 cores); the kernel networks are narrowed to widths (8, 16, 16), ~6 GFLOP.
_base_ = ['../../_base_/experiments/gisr_x4_1xb4-800it_landsat8-demo.py']
model = dict(residual='bicubic', generator=dict(type='DKN', widths=(8, 16, 16)))
