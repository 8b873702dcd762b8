"""Scene-level downscaling of GeoTIFFs (groklst.apis.geotiff): round trip and preview, nothing
half-written, the pre-checks (CRS, extent, resolution ratio, band count and order, grid
alignment) before any compute, LR on a larger shifted lattice windowed not resampled, outputs
that resolve to an input refused, the guidance band order stated or warned about."""
import os
import os.path as osp

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine

import groklst.apis.geotiff as geotiff_mod
from groklst.apis import SceneCheckError, downscale_geotiff, downscale_scene, init_downscaler
from groklst.fileio.raster import read_raster, write_raster
from groklst.utils import register_all_modules
from tests.test_apis.scene_helpers import (BANDS, BICUBIC_X4, CRS, G_TRANSFORM, HR, _ndvi_scene,
                                           _shifted, _smooth_scene, _write_inputs, file_bytes)

register_all_modules()


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
    monkeypatch.setattr(geotiff_mod, 'downscale_windows', lambda *a, **k: calls.append(1))
    with pytest.raises(SceneCheckError, match=match) as err:
        downscale_geotiff(model, lr_path, [g_path], str(out_dir / 'o.tif'),
                          preview=str(out_dir / 'o.png'), tile=64, overlap=32, progress=False)
    assert calls == []  # failed before any compute
    assert ('lr.tif' in str(err.value)) or ('guidance.tif' in str(err.value))
    assert os.listdir(out_dir) == []


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


@pytest.mark.parametrize('how', ['same', 'relative', 'symlink', 'hardlink', 'guidance',
                                 'preview'])
def test_output_resolving_to_an_input_is_refused_before_compute(guided, tmp_path, monkeypatch,
                                                                how):
    guided_model = guided[0]
    lr, g = _ndvi_scene(96, 96)
    lr_path, g_path = _write_inputs(str(tmp_path / 'in'), lr, g)
    before = {p: file_bytes(p) for p in (lr_path, g_path)}
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
        downscale_geotiff(guided_model, lr_path, [g_path], out, preview=preview, tile=64,
                          overlap=16, progress=False)
    assert calls == []
    # the error names the input the output resolves to
    expected = 'guidance.tif' if how in ('guidance', 'preview') else 'lr.tif'
    assert expected in str(err.value).split(' is the input ', 1)[1]
    assert {p: file_bytes(p) for p in (lr_path, g_path)} == before
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(tmp_path / 'in'))) == listing


def test_guidance_bands_state_and_check_the_order(guided, tmp_path):
    guided_model = guided[0]
    lr, g = _ndvi_scene(96, 96)
    lr_path, g_path = _write_inputs(str(tmp_path / 'in'), lr, g, descriptions=None)
    out = str(tmp_path / 'o.tif')
    messages = []
    downscale_geotiff(guided_model, lr_path, [g_path], out, tile=64, overlap=16, progress=False,
                      log=messages.append)
    warn = [m for m in messages if m.startswith('warning:')]
    assert len(warn) == 1 and "['red', 'nir', 'ndvi']" in warn[0]
    assert 'carries no band descriptions' in warn[0] and '--guidance-bands' in warn[0]
    first = read_raster(out)[0]
    messages.clear()
    downscale_geotiff(guided_model, lr_path, [g_path], out, tile=64, overlap=16, progress=False,
                      guidance_bands=['RED', 'nir', 'ndvi'], log=messages.append)
    assert not [m for m in messages if m.startswith('warning:')]
    np.testing.assert_array_equal(read_raster(out)[0], first)
    os.remove(out)
    with pytest.raises(SceneCheckError, match=r"guidance band order: the model was trained with "
                                              r"bands \['red', 'nir', 'ndvi'\] in this order; "
                                              r"--guidance-bands states \['ndvi', 'nir', 'red'\]"):
        downscale_geotiff(guided_model, lr_path, [g_path], out, progress=False,
                          guidance_bands=['ndvi', 'nir', 'red'])
    with pytest.raises(SceneCheckError, match='--guidance-bands names 2 bands'):
        downscale_geotiff(guided_model, lr_path, [g_path], out, progress=False,
                          guidance_bands=['red', 'nir'])
    _, described = _write_inputs(str(tmp_path / 'd'), lr, g, descriptions=BANDS)
    with pytest.raises(SceneCheckError, match='contradict the band descriptions'):
        downscale_geotiff(guided_model, lr_path, [described], out, progress=False,
                          guidance_bands=['nir', 'red', 'ndvi'])
    assert not osp.exists(out)


def test_guidance_pixel_metres_from_the_georeference():
    from rasterio.crs import CRS as RioCRS

    from groklst.apis.geotiff import guidance_pixel_metres
    from groklst.models.downscalers import GuidedDetailDownscaler

    def meta(crs, a, e=None):
        return dict(path='g.tif', crs=None if crs is None else RioCRS.from_user_input(crs),
                    transform=Affine(a, 0, 0, 0, -(e or a), 0))

    gdi = GuidedDetailDownscaler(4, 1)
    assert guidance_pixel_metres(meta('EPSG:32633', 30.0), gdi) == pytest.approx(30.0)
    assert guidance_pixel_metres(meta('EPSG:3035', 100.0)) == pytest.approx(100.0)
    # New York Long Island in US survey feet: 100 ftUS = 30.48006 m
    assert guidance_pixel_metres(meta('EPSG:2263', 100.0)) == pytest.approx(30.48006, rel=1e-5)
    assert guidance_pixel_metres(meta('EPSG:4326', 0.0003)) is None  # nobody needs it
    with pytest.raises(SceneCheckError, match='needs the guidance pixel size in metres.*'
                                              'geographic CRS'):
        guidance_pixel_metres(meta('EPSG:4326', 0.0003), gdi)
    with pytest.raises(SceneCheckError, match=r'non-square pixels \(30 x 20\)'):
        guidance_pixel_metres(meta('EPSG:32633', 30.0, 20.0), gdi)
    with pytest.raises(SceneCheckError, match='no CRS'):
        guidance_pixel_metres(meta(None, 30.0), gdi)
    assert guidance_pixel_metres(meta('EPSG:32633', 30.0),
                                 GuidedDetailDownscaler(4, 1, band_limit=None)) == 30.0
