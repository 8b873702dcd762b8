"""Synthetic scenes, their GeoTIFF inputs and a tiny guided generator for the scene-inference
tests (tests/test_apis/, tests/test_tools/test_downscale.py)."""
import json
import os
import os.path as osp

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from affine import Affine
from mmengine.config import Config

from groklst.fileio.raster import write_raster
from groklst.registry import MODELS
from tests.fixtures.paths import ROOT


BICUBIC_X4 = osp.join(ROOT, 'configs/classic/bicubic_x4_landsat8-demo.py')


BANDS = ['red', 'nir', 'ndvi']


CRS = 'EPSG:32616'


G_TRANSFORM = Affine(30.0, 0.0, 452475.0, 0.0, -30.0, 3408645.0)


HR = 96  # HR scene side (px); scale 4 -> 24 x 24 LR


@MODELS.register_module(name='_TinyGuidedNetForSceneTests', force=True)
class TinyGuidedNet(nn.Module):
    """Test generator: one 3x3 conv on [bilinear-upsampled LR, guidance] (receptive field small)."""

    uses_guidance = True

    def __init__(self, scale: int, guidance_channels: int):
        super().__init__()
        self.scale, self.guidance_channels = scale, guidance_channels
        self.conv = nn.Conv2d(1 + guidance_channels, 1, 3, padding=1)

    def forward(self, lr, guidance):
        up = F.interpolate(lr, scale_factor=self.scale, mode='bilinear', align_corners=False)
        return self.conv(torch.cat([up, guidance], 1))


def _smooth_scene(seed=0):
    """LR (24, 24) K and guidance (3, 96, 96): smooth fields plus texture."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:HR, 0:HR] / HR
    hr = 300 + 6 * np.sin(3 * x) * np.cos(2 * y) + rng.normal(0, 0.5, (HR, HR))
    lr = hr.reshape(HR // 4, 4, HR // 4, 4).mean(axis=(1, 3)).astype(np.float32)
    guidance = np.stack([0.1 + 0.05 * x + 0.01 * rng.random((HR, HR)),
                         0.3 + 0.1 * y + 0.01 * rng.random((HR, HR)),
                         0.5 * np.cos(4 * x * y) + 0.02 * rng.random((HR, HR))]).astype(np.float32)
    return lr, guidance


def _ndvi_scene(hr_h, hr_w, seed=0, k=3):
    """LR (hr_h / 4, hr_w / 4) K and guidance (k, hr_h, hr_w) float32: bands ``BANDS`` with a
    physical NDVI in band 2 (LST falls 15 K per unit NDVI), then k - 3 noise bands."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:hr_h, 0:hr_w] / 100.0
    ndvi = np.clip(0.3 + 0.3 * np.sin(3 * x) * np.cos(2 * y) + 0.05 * rng.normal(size=x.shape),
                   -0.9, 0.9)
    hr = 310 - 15 * ndvi + rng.normal(0, 0.3, x.shape)
    lr = hr.reshape(hr_h // 4, 4, hr_w // 4, 4).mean(axis=(1, 3)).astype(np.float32)
    bands = [0.1 + 0.05 * x + 0.01 * rng.random(x.shape), 0.3 + 0.1 * y, ndvi]
    bands += [0.2 + 0.01 * i + 0.02 * rng.random(x.shape) for i in range(k - 3)]
    return lr, np.stack(bands).astype(np.float32)


def _write_one(folder, name, arr, transform, nodata=float('nan'), descriptions=None):
    """Write ``arr`` ((H, W) or (C, H, W)) as ``folder/name`` on the test CRS; its path."""
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, name)
    write_raster(path, arr if arr.ndim == 3 else arr[None], CRS, transform, nodata=nodata,
                 band_descriptions=descriptions)
    return path


def _stats_file(tmp_path, guidance):
    stats = {'lst': {'mean': 300.0, 'std': 5.0, 'min': 280.0, 'max': 320.0},
             'guidance': {b: {'mean': float(g.mean()), 'std': float(g.std()),
                              'min': float(g.min()), 'max': float(g.max())}
                          for b, g in zip(BANDS, guidance)}}
    path = osp.join(str(tmp_path), 'stats.json')
    with open(path, 'w') as f:
        json.dump(stats, f)
    return path


def _guided_cfg(stats_file):
    return Config(dict(
        model=dict(type='Downscaler', scale=4, residual='bicubic',
                   lst_norm=dict(stats_file=stats_file, key='lst'),
                   generator=dict(type='_TinyGuidedNetForSceneTests', guidance_channels=3)),
        test_dataloader=dict(dataset=dict(
            guidance_bands=BANDS,
            pipeline=[dict(type='LoadLSTSample'),
                      dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
                      dict(type='PackLSTInputs')]))))


def _save_random_ckpt(cfg, tmp):
    torch.manual_seed(1)
    model = MODELS.build(cfg.model)
    path = osp.join(str(tmp), 'random.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def _write_inputs(folder, lr, g, lr_transform=None, crs=CRS, descriptions=BANDS,
                  lr_nodata=float('nan')):
    os.makedirs(folder, exist_ok=True)
    lr_path, g_path = osp.join(folder, 'lr.tif'), osp.join(folder, 'guidance.tif')
    write_raster(lr_path, lr[None], crs, lr_transform or G_TRANSFORM * Affine.scale(4),
                 nodata=lr_nodata, band_descriptions=['lst'], units='K')
    write_raster(g_path, g, CRS, G_TRANSFORM, nodata=float('nan'),
                 band_descriptions=descriptions)
    return lr_path, g_path


def _shifted(transform, dx, dy):
    return Affine(transform.a, transform.b, transform.c + dx, transform.d, transform.e,
                  transform.f + dy)


def file_bytes(path):
    """The whole content of ``path``: inputs must be byte-identical after a refused run."""
    with open(path, 'rb') as f:
        return f.read()
