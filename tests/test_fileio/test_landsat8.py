"""Landsat-8 Level-1 reading: band discovery, grid checks, calibration; a synthetic Collection 2
scene (C2 file names and QA_PIXEL bits) through the reader and the LST retrieval."""
import math
import os
import os.path as osp

import numpy as np
import pytest
from affine import Affine

from groklst.apis.retrieval import retrieve_lst
from groklst.fileio.landsat8 import Landsat8Calibration, find_band_files, read_landsat8_l1
from groklst.fileio.raster import write_raster
from groklst.physics.algorithms.split_window import split_window_jm2014
from groklst.physics.emissivity import landsat8_emissivity

C2_PREFIX = 'LC08_L1TP_020039_20150804_20200908_02_T1_'  # Collection 2 Level-1 product name
TRANSFORM = Affine(30.0, 0.0, 452475.0, 0.0, -30.0, 3408645.0)
CRS = 'EPSG:32616'
QA_CLEAR, QA_CLOUD_HIGH, QA_FILL = 21824, 22280, 1  # QA_PIXEL values (LSDS-1619)


def _scene(folder, qa_band='QA_PIXEL', prefix=C2_PREFIX, shape=(4, 6), dtype=np.uint16,
           transform=TRANSFORM, bands=('B4', 'B5', 'B10', 'B11')):
    """B4 = 10000 (rho' 0.1), B5 = 20000 (0.3), B10 = 25000, B11 = 22000 DN; QA clear except
    a high-confidence cloud at (1, 2) and fill at (3, 5) (DN 0 there in every band)."""
    os.makedirs(folder, exist_ok=True)
    dn = {'B4': 10000, 'B5': 20000, 'B10': 25000, 'B11': 22000}
    qa = np.full(shape, QA_CLEAR, np.uint16)
    qa[1, 2], qa[3, 5] = QA_CLOUD_HIGH, QA_FILL
    arrays = {b: np.full(shape, dn[b], dtype) for b in bands}
    for a in arrays.values():
        a[3, 5] = 0
    arrays[qa_band] = qa
    for band, arr in arrays.items():
        write_raster(osp.join(folder, f'{prefix}{band}.TIF'), arr[None], CRS, transform)
    return folder


def test_band_discovery_matches_whole_band_names(tmp_path):
    for name in ('l8_B1.tif', 'l8_B10.tif', 'l8_B11.TIFF', 'LC08_X_QA_PIXEL.TIF', 'notes.txt'):
        (tmp_path / name).write_bytes(b'')
    files = find_band_files(str(tmp_path), ['B1', 'B10', 'B11', 'QA_PIXEL'])
    assert {k: osp.basename(v) for k, v in files.items()} == {
        'B1': 'l8_B1.tif', 'B10': 'l8_B10.tif', 'B11': 'l8_B11.TIFF',
        'QA_PIXEL': 'LC08_X_QA_PIXEL.TIF'}
    with pytest.raises(FileNotFoundError, match=r"expected exactly one \*B4.tif, found \[\]"):
        find_band_files(str(tmp_path), ['B4'])
    with pytest.raises(FileNotFoundError, match='scene folder not found'):
        find_band_files(str(tmp_path / 'nowhere'), ['B4'])


def test_collection2_scene_reads_and_calibrates(tmp_path):
    scene = read_landsat8_l1(_scene(str(tmp_path)), bands=('B10', 'B11', 'B4', 'B5'))
    assert scene.qa_band == 'QA_PIXEL' and scene.qa_layout() == 'collection2'
    assert scene.shape == (4, 6) and scene.profile['transform'] == TRANSFORM
    # L = 3.342e-4 * 25000 + 0.1 = 8.455 W m-2 sr-1 um-1; BT = K2 / ln(K1 / L + 1)
    rad = scene.radiance('B10')
    assert rad[0, 0] == pytest.approx(8.455, abs=1e-12)
    assert scene.brightness_temperature('B10')[0, 0] == pytest.approx(
        1321.0789 / math.log(774.8853 / 8.455 + 1), abs=1e-9)
    l11 = 3.342e-4 * 22000 + 0.1
    assert scene.brightness_temperature('B11')[0, 0] == pytest.approx(
        1201.1442 / math.log(480.8883 / l11 + 1), abs=1e-9)
    assert scene.toa_reflectance('B4')[0, 0] == pytest.approx(0.1, abs=1e-12)
    assert np.isnan(scene.brightness_temperature('B10')[3, 5])
    qa = scene.qa()
    assert qa['cloud'][1, 2] and qa['fill'][3, 5] and qa['clear'].sum() == 22
    # an MTL-style calibration: sun elevation 30 deg doubles rho'
    sun = Landsat8Calibration(Landsat8Calibration.nominal().tirs,
                              Landsat8Calibration.nominal().oli_reflectance, 30.0)
    scene.calibration = sun
    assert scene.toa_reflectance('B5')[0, 0] == pytest.approx(0.6, abs=1e-12)
    small = scene.crop(2, 3)
    assert small.shape == (2, 3) and all(v.shape == (2, 3) for v in small.dn.values())
    assert scene.shape == (4, 6)  # the original is untouched
    with pytest.raises(ValueError, match='does not fit'):
        scene.crop(5, 3)
    with pytest.raises(ValueError, match='band B1 was not read'):
        scene.toa_reflectance('B1')
    with pytest.raises(ValueError, match="no thermal calibration for band 'B4'"):
        scene.brightness_temperature('B4')


def test_retrieval_masks_collection2_clouds(tmp_path):
    folder = _scene(str(tmp_path))
    lst, profile, info = retrieve_lst(folder, 2.0, cloud_buffer=0)
    assert info['qa_layout'] == 'collection2'
    assert lst.shape == (4, 6) and profile['crs'] == CRS
    assert np.isnan(lst[1, 2]) and np.isnan(lst[3, 5])  # cloud and fill
    # every other pixel: JM2014 split window of the hand-computed BTs, NDVI = (0.3 - 0.1) /
    # (0.3 + 0.1) = 0.5 -> NDVI-threshold emissivities
    bt10 = 1321.0789 / math.log(774.8853 / (3.342e-4 * 25000 + 0.1) + 1)
    bt11 = 1201.1442 / math.log(480.8883 / (3.342e-4 * 22000 + 0.1) + 1)
    e10, e11 = landsat8_emissivity(np.array([0.5]))
    want = split_window_jm2014(np.array([bt10]), np.array([bt11]), e10, e11, 2.0)[0]
    assert np.isfinite(lst).sum() == 22
    np.testing.assert_allclose(lst[np.isfinite(lst)], want, rtol=1e-6)
    grown, _, _ = retrieve_lst(folder, 2.0, cloud_buffer=1)
    assert np.isnan(grown[0:3, 1:4]).all() and np.isfinite(grown[0, 0])


def test_bad_scenes_are_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match='expected 1 band of uint16 DNs, found 1 band'):
        read_landsat8_l1(_scene(str(tmp_path / 'f'), dtype=np.float32), bands=('B10',))
    both = _scene(str(tmp_path / 'both'))
    write_raster(osp.join(both, 'LC08_BQA.TIF'), np.zeros((1, 4, 6), np.uint16), CRS, TRANSFORM)
    with pytest.raises(FileNotFoundError, match=r"expected one quality band.*\['BQA', "
                                                r"'QA_PIXEL'\]"):
        read_landsat8_l1(both, bands=('B10',))
    shifted = _scene(str(tmp_path / 's'))
    write_raster(osp.join(shifted, C2_PREFIX + 'B11.TIF'), np.ones((1, 4, 6), np.uint16), CRS,
                 TRANSFORM * Affine.translation(1, 0))
    with pytest.raises(ValueError, match=r'B11\.TIF: grid .* differs from '
                                         r'LC08_L1TP_020039_20150804_20200908_02_T1_B10\.TIF'):
        read_landsat8_l1(shifted, bands=('B10', 'B11'))
    with pytest.raises(ValueError, match='no quality band was read'):
        read_landsat8_l1(shifted, bands=('B10',), qa=False).qa()
