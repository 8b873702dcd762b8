"""Scene downscaling by windows (groklst.apis.tiling through groklst.apis.geotiff): the GeoTIFF
written by windows equals the in-memory result, the LR warped by windows equals the whole warp,
and a scene larger than the budget is read, blended and written in bounded windows."""
import copy
import os
import tracemalloc

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine

import groklst.apis.tiling as tiling_mod
from groklst.apis import downscale_geotiff, downscale_scene, init_downscaler
from groklst.fileio.raster import GridReader, read_raster
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.test_apis.scene_helpers import (BANDS, BICUBIC_X4, CRS, G_TRANSFORM, _ndvi_scene,
                                           _shifted, _write_inputs, _write_one)

register_all_modules()


def _aligned_by_hand(lr_file, g, off_r, off_c, s=4):
    """The model grid of an LR whose lattice has the guidance origin at (off_r, off_c) HR px:
    LR rows/cols covering the guidance, guidance padded with NaN (module docs)."""
    hg, wg = g.shape[1:]
    lr0, lc0 = off_r // s, off_c // s
    lr1, lc1 = -(-(off_r + hg) // s), -(-(off_c + wg) // s)
    lr = lr_file[lr0:lr1, lc0:lc1]
    r0, c0 = off_r - lr0 * s, off_c - lc0 * s
    pad = np.full((g.shape[0], lr.shape[0] * s, lr.shape[1] * s), np.nan, np.float32)
    pad[:, r0:r0 + hg, c0:c0 + wg] = g
    return lr, pad, (r0, c0)


@pytest.mark.parametrize('off_r, off_c', [(0, 0), (8, 4), (2, 6)])
def test_windowed_geotiff_equals_in_memory_result(guided, tmp_path, off_r, off_c):
    """Several tile rows and column chunks, the guidance origin at whole LR pixels or inside
    one, LR nodata -9999 and an out-of-range value, NaN guidance pixels: the GeoTIFF written
    by windows equals downscale_scene on the aligned arrays built by hand, bit for bit."""
    guided_model = guided[0]
    hg, wg = 212, 300
    lr_big, g_big = _ndvi_scene(320, 400, seed=3)
    g = g_big[:, 20:20 + hg, 24:24 + wg].copy()
    g[1, 50:53, 70:90] = np.nan
    lr_file = lr_big.copy()
    lr_file[20:23, 30:33] = -9999.0
    lr_file[40, 50] = 150.0
    # file pixel (0, 0) lies (off_r, off_c) HR px up-left of the guidance origin
    lr_t = _shifted(G_TRANSFORM * Affine.scale(4), -30.0 * off_c, 30.0 * off_r)
    lr_path, g_path = _write_inputs(str(tmp_path), lr_file, g, lr_transform=lr_t, lr_nodata=-9999.0)
    for model, kw in ((guided_model, dict(tile=64, overlap=16, batch=3)),
                      (init_downscaler(BICUBIC_X4), dict(tile=96, overlap=32, batch=2))):
        out = str(tmp_path / 'out.tif')
        res = downscale_geotiff(model, lr_path, [g_path], out, progress=False, chunk_width=128,
                                log=lambda m: None, **kw)
        lr_mem = np.where(lr_file == -9999.0, np.nan, lr_file)
        lr_a, g_a, (r0, c0) = _aligned_by_hand(lr_mem, g, off_r, off_c)
        expect = downscale_scene(model, lr_a, g_a, progress=False, **kw)
        expect = expect[r0:r0 + hg, c0:c0 + wg]
        got, prof = read_raster(out)
        np.testing.assert_array_equal(got[0], expect)
        assert np.isnan(got[0]).any() and np.isfinite(got[0]).mean() > 0.9
        assert res['valid_fraction'] == pytest.approx(np.isfinite(expect).mean())
        with rasterio.open(out) as src:
            assert src.tags(ns='IMAGE_STRUCTURE').get('LAYOUT') == 'COG'
            assert src.compression.name == 'lzw' and src.block_shapes == [(256, 256)]
            assert src.descriptions == ('LST',) and src.units == ('K',)
        assert sorted(os.listdir(tmp_path)) == ['guidance.tif', 'lr.tif', 'out.tif']


def test_resampled_lr_by_windows_equals_whole_reproject(tmp_path):
    """--resample-lr warps the LR window by window; it equals warping the whole LR (average
    from 60 m to 120 m) and downscaling that."""
    from rasterio.warp import Resampling, reproject
    lr, g = _ndvi_scene(200, 232, seed=4)
    hr = np.kron(lr, np.ones((4, 4), np.float32))
    lr60 = hr.reshape(100, 2, 116, 2).mean(axis=(1, 3)) + \
        np.random.default_rng(0).normal(0, 0.2, (100, 116)).astype(np.float32)
    lr60_t = _shifted(G_TRANSFORM * Affine.scale(2), -30.0, 30.0)  # not on the guidance lattice
    lr_path = _write_one(str(tmp_path), 'lr60.tif', lr60.astype(np.float32), lr60_t)
    g_path = _write_one(str(tmp_path), 'g.tif', g, G_TRANSFORM, descriptions=BANDS)
    model = init_downscaler(BICUBIC_X4)
    out = str(tmp_path / 'o.tif')
    res = downscale_geotiff(model, lr_path, [g_path], out, tile=64, overlap=32,
                            resample_lr=True, progress=False, chunk_width=128,
                            log=lambda m: None)
    assert res['resampled']
    whole = np.full((50, 58), np.nan, np.float32)
    reproject(lr60.astype(np.float32), whole, src_transform=lr60_t, src_crs=CRS,
              src_nodata=np.nan, dst_transform=G_TRANSFORM * Affine.scale(4), dst_crs=CRS,
              dst_nodata=np.nan, resampling=Resampling.average)
    expect = downscale_scene(model, whole, None, tile=64, overlap=32, progress=False)
    np.testing.assert_array_equal(read_raster(out)[0][0], expect)


def test_scene_larger_than_the_budget_is_processed_by_bounded_windows(guided, tmp_path,
                                                                      monkeypatch):
    """A 10-band 512 x 1536 guidance (31 MB as float32) with 64-px tiles and 256-px column
    chunks: no read covers more than one tile of guidance or one band of LR, the blending
    accumulators stay one tile row by one chunk, and the numpy peak stays far below the
    scene."""
    guided_model = guided[0]
    hg, wg, k = 512, 1536, 10
    lr, g = _ndvi_scene(hg, wg, seed=5, k=k)
    lr_path = _write_one(str(tmp_path), 'lr.tif', lr, G_TRANSFORM * Affine.scale(4))
    g_path = _write_one(str(tmp_path), 'g.tif', g, G_TRANSFORM)  # no descriptions: order assumed
    cfg = copy.deepcopy(guided_model.cfg)
    cfg.model.generator.guidance_channels = k
    cfg.test_dataloader.dataset.guidance_bands = None
    cfg.test_dataloader.dataset.pipeline = [dict(type='LoadLSTSample'),
                                            dict(type='PackLSTInputs')]
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'w.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict(), 'meta': {}}, ckpt)
    model = init_downscaler(cfg, ckpt)
    reads, bands = [], []
    original_read = GridReader.read_bands

    def spy(self, window, bands=None):
        reads.append((self.count, int(window.height), int(window.width)))
        return original_read(self, window, bands)

    original_band = tiling_mod._Band

    class SpyBand(original_band):
        def __init__(self, rows, x0, x1):
            super().__init__(rows, x0, x1)
            bands.append(self.acc.shape)

    monkeypatch.setattr(GridReader, 'read_bands', spy)
    monkeypatch.setattr(tiling_mod, '_Band', SpyBand)
    tracemalloc.start()
    try:
        downscale_geotiff(model, lr_path, [g_path], str(tmp_path / 'o.tif'), tile=64,
                          overlap=16, batch=4, progress=False, chunk_width=256,
                          log=lambda m: None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    g_reads = [(h, w) for c, h, w in reads if c == k]
    lr_reads = [(h, w) for c, h, w in reads if c == 1]
    assert len(g_reads) == 11 * 32  # tile by tile: 11 tile rows x 32 tile columns
    assert set(g_reads) == {(64, 64)}
    # LR: one pass for the valid-pixel check (512-px windows), then bands of one tile row
    # (16 LR rows) by one chunk (at most 64 LR columns)
    band_reads = lr_reads[1:]
    assert lr_reads[0] == (128, 384) and len(band_reads) == 11 * 7
    assert max(h for h, _ in band_reads) == 16 and max(w for _, w in band_reads) <= 64
    bands = [b for b in bands if b[1]]  # the engine's placeholder before the first chunk
    assert len(bands) == 7 and all(b[0] == 64 and b[1] <= 256 for b in bands)
    scene_bytes = g.nbytes + lr.nbytes
    assert peak < scene_bytes / 6, (peak, scene_bytes)
