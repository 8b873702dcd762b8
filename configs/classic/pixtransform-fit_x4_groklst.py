# PixTransform fitted on every test tile (de Lutio et al., "Guided Super-Resolution as
# Pixel-to-Pixel Transformation", ICCV 2019) at x4: a pixel-wise MLP on the guidance bands and
# pixel coordinates, fitted with Adam so that its s x s block means match the valid LR LST.
# No training and no checkpoint: python tools/test.py CONFIG. CPU-sized: 300 steps of 32 LR
# pixels per tile and a wide layer of 256 (a few seconds per 128x128 tile); the paper fits
# 32768 steps (PAPER_NUM_STEPS in groklst/models/classic/pixtransform_fit.py) with width 2048,
# and at these settings the fit is under-trained (4 of the 8 Landsat-8 demo
# test tiles, x4: RMSE 2.38 K vs 1.19 K for bicubic).
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/groklst_x4.py']
scale = 4
test_cfg = dict(type='TestLoop')
model = dict(type='PixTransformFit', scale=scale, guidance_channels={{_base_.num_guidance}},
             num_steps=300, batch_size=32, lr=1e-3, hidden=32, width=256, loss='l1',
             use_coordinates=True, seed=0)
