"""GDAL scale/offset tags honoured by groklst.fileio.raster.read_raster (issue 14 §3)."""
import numpy as np
import pytest
import rasterio
from affine import Affine

from groklst.datasets.validation import LSTValueError, check_lst_values
from groklst.fileio.raster import apply_scale_offset, read_raster

TRANSFORM = Affine(1000.0, 0.0, 500000.0, 0.0, -1000.0, 3400000.0)


def _write_tagged(path, dn, scale, offset, nodata=0):
    """uint16 digital numbers with GDAL scale/offset tags, as MODIS LST (MOD11, scale 0.02 K)
    products are distributed."""
    with rasterio.open(path, 'w', driver='GTiff', height=dn.shape[1], width=dn.shape[2],
                       count=dn.shape[0], dtype='uint16', crs='EPSG:32616',
                       transform=TRANSFORM, nodata=nodata) as dst:
        dst.write(dn)
        dst.scales = (scale,) * dn.shape[0]
        dst.offsets = (offset,) * dn.shape[0]


def test_modis_style_scale_and_offset_give_kelvin(tmp_path):
    dn = np.array([[[15000, 14500, 0], [15250, 16000, 14000]]], np.uint16)
    path = tmp_path / 'modis_lst.tif'
    _write_tagged(path, dn, 0.02, 0.5)
    lst, prof = read_raster(path)
    assert lst.dtype == np.float32 and lst.shape == (1, 2, 3)
    # K = DN · 0.02 + 0.5; the nodata DN 0 becomes NaN, not 0.5 K
    np.testing.assert_allclose(lst[0, 0, :2], [300.5, 290.5], rtol=1e-6)
    np.testing.assert_allclose(lst[0, 1], [305.5, 320.5, 280.5], rtol=1e-6)
    assert np.isnan(lst[0, 0, 2]) and np.isnan(prof['nodata'])
    assert prof['scales'] == (0.02,) and prof['offsets'] == (0.5,)
    assert prof['dtype'] == 'float32'
    # the unit check accepts the scaled values and rejects the raw digital numbers
    check_lst_values(lst, str(path))
    raw, raw_prof = read_raster(path, scale_offset=False)
    assert raw.dtype == np.uint16 and raw_prof['nodata'] == 0
    np.testing.assert_array_equal(raw, dn)
    with pytest.raises(LSTValueError, match=r'scale factor 0\.02'):
        check_lst_values(np.where(raw == 0, np.nan, raw.astype(np.float32)), str(path))


def test_window_and_decimated_reads_are_scaled(tmp_path):
    dn = np.full((1, 8, 8), 15000, np.uint16)
    dn[0, :4] = 14000
    path = tmp_path / 'modis_lst.tif'
    _write_tagged(path, dn, 0.02, 0.0)
    win, _ = read_raster(path, window=((4, 8), (0, 8)))
    np.testing.assert_allclose(win, 300.0, rtol=1e-6)
    small, _ = read_raster(path, out_shape=(2, 2))
    assert small.shape == (1, 2, 2)
    np.testing.assert_allclose(small[0, :, 0], [280.0, 300.0], rtol=1e-6)


def test_untagged_rasters_keep_dtype_and_values(tmp_path):
    dn = np.arange(12, dtype=np.uint16).reshape(1, 3, 4)
    path = tmp_path / 'dn.tif'
    with rasterio.open(path, 'w', driver='GTiff', height=3, width=4, count=1, dtype='uint16',
                       crs='EPSG:32616', transform=TRANSFORM) as dst:
        dst.write(dn)
    arr, prof = read_raster(path)
    assert arr.dtype == np.uint16 and prof['scales'] == (1.0,) and prof['offsets'] == (0.0,)
    np.testing.assert_array_equal(arr, dn)


def test_apply_scale_offset_per_band():
    stored = np.array([[[10, 20]], [[10, 20]]], np.int16)
    out, nodata = apply_scale_offset(stored, (1.0, 0.5), (0.0, 273.15), nodata=20)
    assert out.dtype == np.float32 and np.isnan(nodata)
    np.testing.assert_allclose(out[0, 0], [10.0, np.nan])
    np.testing.assert_allclose(out[1, 0], [278.15, np.nan], rtol=1e-6)
    same, nd = apply_scale_offset(stored, (1.0, 1.0), (0.0, 0.0), nodata=20)
    assert same is stored and nd == 20


def test_grid_reader_applies_scale_and_offset(tmp_path):
    """GridReader (windowed reads on a target grid) gives the same physical values as
    read_raster for a MODIS-style uint16 band with scale/offset tags and a nodata fill."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    from groklst.fileio.raster import GridReader, RasterGrid, read_raster
    path = str(tmp_path / 'lst_scaled.tif')
    stored = np.full((1, 4, 5), 14900, np.uint16)
    stored[0, 1, 2] = 0  # fill
    with rasterio.open(path, 'w', driver='GTiff', count=1, height=4, width=5, dtype='uint16',
                       crs='EPSG:32616', transform=from_origin(500000, 4000000, 1000, 1000),
                       nodata=0) as dst:
        dst.write(stored)
        dst.scales = (0.02,)
        dst.offsets = (0.5,)
    whole, _ = read_raster(path)
    grid = RasterGrid(crs=rasterio.crs.CRS.from_epsg(32616),
                      transform=from_origin(500000, 4000000, 1000, 1000), height=4, width=5)
    with GridReader(path, grid) as reader:
        got = reader.read(Window(0, 0, 5, 4))
    assert np.isnan(got[1, 2]) and np.isnan(whole[0, 1, 2])
    np.testing.assert_allclose(got[0, 0], 14900 * 0.02 + 0.5)
    np.testing.assert_allclose(got, whole[0], rtol=1e-6)
