"""Windowed raster processing of groklst.fileio.raster: windows, grown windows, rasters read on
another grid (same / bilinear / average), atomic windowed writing."""
import os

import numpy as np
import pytest
from affine import Affine
from rasterio.windows import Window

from groklst.fileio.raster import (GridReader, RasterGrid, WindowedRasterWriter, grown_window,
                                   iter_windows, plan_alignment, raster_info, read_raster,
                                   write_raster)

T30 = Affine(30.0, 0.0, 500000.0, 0.0, -30.0, 3400000.0)
CRS = 'EPSG:32616'


def test_windows_cover_the_raster_once():
    wins = list(iter_windows(5, 7, 3))
    assert [(w.row_off, w.col_off, w.height, w.width) for w in wins] == [
        (0, 0, 3, 3), (0, 3, 3, 3), (0, 6, 3, 1), (3, 0, 2, 3), (3, 3, 2, 3), (3, 6, 2, 1)]
    cover = np.zeros((5, 7), int)
    for w in wins:
        cover[w.row_off:w.row_off + w.height, w.col_off:w.col_off + w.width] += 1
    assert (cover == 1).all()
    with pytest.raises(ValueError, match='positive integer size'):
        list(iter_windows(5, 7, 0))
    grown, (rows, cols) = grown_window(Window(3, 0, 3, 3), 2, 5, 7)
    assert (grown.row_off, grown.col_off, grown.height, grown.width) == (0, 1, 5, 6)
    assert (rows, cols) == (slice(0, 3), slice(2, 5))


def test_alignment_plans_and_resampled_reads(tmp_path):
    grid = RasterGrid(raster_info(write_raster(tmp_path / 'bt.tif', np.zeros((1, 8, 8),
                                                                             np.float32),
                                               CRS, T30))['grid'].crs, T30, 8, 8)
    # a coarse field: 4 x 4 pixels of 60 m, value = column index of the coarse pixel
    coarse = np.tile(np.arange(4, dtype=np.float32), (4, 1))[None]
    write_raster(tmp_path / 'wvc.tif', coarse, CRS, Affine(60.0, 0, 500000.0, 0, -60.0,
                                                           3400000.0))
    info = raster_info(tmp_path / 'wvc.tif')
    assert plan_alignment(info, grid, '--wvc') == 'bilinear'
    with GridReader(info['path'], grid, 'bilinear') as r:
        full = r.read(Window(0, 0, 8, 8))
        part = r.read(Window(2, 1, 3, 4))
    np.testing.assert_allclose(part, full[1:5, 2:5])
    # bilinear between coarse centres: fine column c has centre x = 15 + 30 c, coarse centres
    # at 30 + 60 k, so fine columns 1..6 interpolate linearly 0.25, 0.75, ... 2.75
    np.testing.assert_allclose(full[3, 1:7], [0.25, 0.75, 1.25, 1.75, 2.25, 2.75], atol=1e-6)
    # a finer raster is averaged; a same-grid raster is read as is, its nodata as NaN
    fine = np.arange(256, dtype=np.float32).reshape(1, 16, 16)
    write_raster(tmp_path / 'fine.tif', fine, CRS, Affine(15.0, 0, 500000.0, 0, -15.0,
                                                          3400000.0))
    assert plan_alignment(raster_info(tmp_path / 'fine.tif'), grid, '--red') == 'average'
    with GridReader(str(tmp_path / 'fine.tif'), grid, 'average') as r:
        got = r.read(Window(0, 0, 8, 8))
    assert got[0, 0] == pytest.approx(fine[0, :2, :2].mean())
    same = np.full((1, 8, 8), 5, np.int16)
    same[0, 2, 3] = -1
    write_raster(tmp_path / 'same.tif', same, CRS, T30, nodata=-1)
    assert plan_alignment(raster_info(tmp_path / 'same.tif'), grid, '--emissivity') == 'same'
    with GridReader(str(tmp_path / 'same.tif'), grid) as r:
        got = r.read(Window(0, 0, 8, 8))
    assert np.isnan(got[2, 3]) and np.nansum(got) == 5 * 63
    # a half-covering raster: pixels outside it are NaN
    write_raster(tmp_path / 'half.tif', np.ones((1, 8, 4), np.float32), CRS, T30)
    with GridReader(str(tmp_path / 'half.tif'), grid, 'bilinear') as r:
        got = r.read(Window(0, 0, 8, 8))
    assert np.isfinite(got[:, :3]).all() and np.isnan(got[:, 5:]).all()


def test_alignment_refusals_name_the_problem(tmp_path):
    grid = RasterGrid(raster_info(write_raster(tmp_path / 'g.tif', np.zeros((1, 4, 4),
                                                                            np.float32),
                                               CRS, T30))['grid'].crs, T30, 4, 4)
    write_raster(tmp_path / 'll.tif', np.zeros((1, 4, 4), np.float32), 'EPSG:4326',
                 Affine(0.1, 0, -90, 0, -0.1, 30))
    with pytest.raises(ValueError, match=r'--wvc .*ll.tif: CRS EPSG:4326 differs .* '
                                         r'gdalwarp -t_srs EPSG:32616'):
        plan_alignment(raster_info(tmp_path / 'll.tif'), grid, '--wvc')
    write_raster(tmp_path / 'far.tif', np.zeros((1, 4, 4), np.float32), CRS,
                 Affine(30.0, 0, 0.0, 0, -30.0, 0.0))
    with pytest.raises(ValueError, match='does not overlap'):
        plan_alignment(raster_info(tmp_path / 'far.tif'), grid, '--wvc')
    write_raster(tmp_path / 'two.tif', np.zeros((2, 4, 4), np.float32), CRS, T30)
    with pytest.raises(ValueError, match='expected 1 band, found 2'):
        plan_alignment(raster_info(tmp_path / 'two.tif'), grid, '--emissivity')


def test_windowed_writer_is_atomic(tmp_path):
    out = tmp_path / 'lst.tif'
    data = np.random.default_rng(0).random((2, 300, 280)).astype(np.float32)
    with WindowedRasterWriter(out, 2, 300, 280, 'float32', CRS, T30, nodata=float('nan'),
                              band_descriptions=['lst', 'lse:B10'], units=['K', None]) as w:
        for win in iter_windows(300, 280, 256):
            r, c = win.row_off, win.col_off
            w.write(data[:, r:r + win.height, c:c + win.width], win)
        assert not out.exists()  # only the temporary file until the block ends
    got, prof = read_raster(out)
    np.testing.assert_array_equal(got, data)
    assert prof['descriptions'] == ('lst', 'lse:B10') and prof['units'] == ('K', None)
    assert prof['transform'] == T30 and os.listdir(tmp_path) == ['lst.tif']
    with pytest.raises(RuntimeError, match='boom'):
        with WindowedRasterWriter(tmp_path / 'x.tif', 1, 4, 4, 'uint8', CRS, T30) as w:
            w.write(np.ones((1, 2, 2)), Window(0, 0, 2, 2))
            raise RuntimeError('boom')
    assert os.listdir(tmp_path) == ['lst.tif']  # nothing half-written
    w = WindowedRasterWriter(tmp_path / 'y.tif', 1, 4, 4, 'uint8', CRS, T30)
    with pytest.raises(ValueError, match=r'needs an array of shape \(1, 2, 2\)'):
        w.write(np.ones((1, 3, 2)), Window(0, 0, 2, 2))
    w.abort()
    assert os.listdir(tmp_path) == ['lst.tif']
