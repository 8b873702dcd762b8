"""GeoTIFF round trip and atomic-write behaviour of groklst.fileio.raster."""
import os

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS

from groklst.fileio.raster import read_raster, write_raster

TRANSFORM = Affine(30.0, 0.0, 452475.0, 0.0, -30.0, 3408645.0)


def _array(dtype=np.float32, shape=(3, 20, 30)):
    rng = np.random.default_rng(0)
    return (rng.random(shape) * 100).astype(dtype)


def test_round_trip_keeps_georeferencing(tmp_path):
    arr = _array()
    arr[1, 2, 3] = np.nan
    path = tmp_path / 'scene.tif'
    out = write_raster(path, arr, 'EPSG:32616', TRANSFORM,
                       nodata=float('nan'),
                       band_descriptions=['red', 'nir', 'ndvi'],
                       units=['reflectance', 'reflectance', None])
    assert out == str(path)
    data, prof = read_raster(path)
    assert data.dtype == np.float32 and data.shape == arr.shape
    np.testing.assert_array_equal(data, arr)  # NaN positions compare equal
    assert prof['crs'] == CRS.from_epsg(32616)
    assert prof['transform'] == TRANSFORM
    assert np.isnan(prof['nodata'])
    assert prof['descriptions'] == ('red', 'nir', 'ndvi')
    assert prof['units'] == ('reflectance', 'reflectance', None)
    assert (prof['count'], prof['height'], prof['width']) == (3, 20, 30)
    with rasterio.open(path) as src:
        assert src.compression.value == 'LZW'
    assert os.listdir(tmp_path) == ['scene.tif']  # no temp / aux files


def test_integer_nodata_window_and_band_selection(tmp_path):
    arr = _array(np.int16)
    path = tmp_path / 'int.tif'
    write_raster(path, arr, 32616, tuple(TRANSFORM)[:6], nodata=-9999,
                 band_descriptions=['a', 'b', 'c'], units='DN')
    data, prof = read_raster(path, window=((2, 7), (4, 10)), bands=[3, 'a'])
    assert prof['nodata'] == -9999
    np.testing.assert_array_equal(data, arr[[2, 0], 2:7, 4:10])
    assert prof['descriptions'] == ('c', 'a')
    assert prof['units'] == ('DN', 'DN')
    # the window transform is the parent's shifted by (col 4, row 2)
    assert prof['transform'] == TRANSFORM * Affine.translation(4, 2)
    assert (prof['height'], prof['width']) == (5, 6)


def test_bool_is_written_as_uint8(tmp_path):
    path = tmp_path / 'mask.tif'
    write_raster(path, np.ones((1, 4, 4), bool), 'EPSG:32616', TRANSFORM)
    data, _ = read_raster(path)
    assert data.dtype == np.uint8 and data.min() == 1


@pytest.mark.parametrize('shape', [(20, 30), (30,), (1, 1, 20, 30)])
def test_wrong_ndim_raises_and_leaves_nothing(tmp_path, shape):
    path = tmp_path / 'bad.tif'
    with pytest.raises(ValueError, match='ndim'):
        write_raster(path, np.zeros(shape, np.float32), 'EPSG:32616',
                     TRANSFORM)
    assert os.listdir(tmp_path) == []


def test_failure_during_write_leaves_no_file(tmp_path, monkeypatch):
    def boom(self, *args, **kwargs):
        raise RuntimeError('disk full')

    monkeypatch.setattr(rasterio.io.DatasetWriter, 'write', boom)
    with pytest.raises(RuntimeError, match='disk full'):
        write_raster(tmp_path / 'x.tif', _array(), 'EPSG:32616', TRANSFORM)
    assert os.listdir(tmp_path) == []


def test_failed_overwrite_keeps_old_file(tmp_path):
    path = tmp_path / 'keep.tif'
    arr = _array()
    write_raster(path, arr, 'EPSG:32616', TRANSFORM)
    with pytest.raises(ValueError, match='band_descriptions'):
        write_raster(path, arr * 0, 'EPSG:32616', TRANSFORM,
                     band_descriptions=['only-one'])
    data, _ = read_raster(path)
    np.testing.assert_array_equal(data, arr)
    assert os.listdir(tmp_path) == ['keep.tif']


def test_write_argument_errors(tmp_path):
    arr = _array()
    with pytest.raises(FileNotFoundError, match='does not exist'):
        write_raster(tmp_path / 'no' / 'dir.tif', arr, 'EPSG:32616',
                     TRANSFORM)
    with pytest.raises(ValueError, match='nodata'):
        write_raster(tmp_path / 'a.tif', arr.astype(np.uint8), 'EPSG:32616',
                     TRANSFORM, nodata=float('nan'))
    with pytest.raises(ValueError, match='nodata'):
        write_raster(tmp_path / 'a.tif', arr.astype(np.uint8), 'EPSG:32616',
                     TRANSFORM, nodata=300)
    with pytest.raises(ValueError, match='crs'):
        write_raster(tmp_path / 'a.tif', arr, 'not a crs', TRANSFORM)
    with pytest.raises(ValueError, match='transform'):
        write_raster(tmp_path / 'a.tif', arr, 'EPSG:32616', (1.0, 2.0))
    with pytest.raises(ValueError, match='dtype'):
        write_raster(tmp_path / 'a.tif', arr.astype(np.complex64),
                     'EPSG:32616', TRANSFORM)
    assert os.listdir(tmp_path) == []


def test_read_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.tif'):
        read_raster(tmp_path / 'missing.tif')
    junk = tmp_path / 'junk.tif'
    junk.write_text('not a tiff')
    with pytest.raises(ValueError, match='junk.tif'):
        read_raster(junk)
    path = tmp_path / 'ok.tif'
    write_raster(path, _array(), 'EPSG:32616', TRANSFORM,
                 band_descriptions=['a', 'b', 'c'])
    with pytest.raises(ValueError, match='outside'):
        read_raster(path, window=((0, 21), (0, 5)))
    with pytest.raises(ValueError, match='1-based'):
        read_raster(path, bands=[0])
    with pytest.raises(ValueError, match="'zz'"):
        read_raster(path, bands=['zz'])
