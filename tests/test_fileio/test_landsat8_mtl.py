"""Landsat-8/9 MTL metadata (text and JSON, Collection 2 and Collection 1 groups) into the scene
calibration; a synthetic Collection 2 folder (USGS file names, MTL groups, QA_PIXEL bits) through
the Level-1 reader."""
import math
import os
import os.path as osp

import numpy as np
import pytest

from groklst.fileio.landsat8 import Landsat8Calibration, read_landsat8_l1, scene_calibration
from groklst.fileio.landsat8_mtl import (calibration_from_mtl, find_mtl, parse_mtl_text,
                                         read_mtl, read_mtl_calibration)
from tests.fixtures.landsat_c2 import (L9_TIRS, QA_CLOUD, QA_SHADOW, mtl_groups, mtl_json,
                                       mtl_text, product_id, write_c2_scene)
from tests.fixtures.landsat_c2 import TRANSFORM as C2_TRANSFORM

# The rescaling part of a Collection 1 MTL (L1_METADATA_FILE, TIRS_THERMAL_CONSTANTS).
C1_TEXT = '''GROUP = L1_METADATA_FILE
  GROUP = METADATA_FILE_INFO
    LANDSAT_PRODUCT_ID = "LC08_L1TP_020039_20150804_20170406_01_T1"
    COLLECTION_NUMBER = 01
  END_GROUP = METADATA_FILE_INFO
  GROUP = PRODUCT_METADATA
    SPACECRAFT_ID = "LANDSAT_8"
    DATE_ACQUIRED = 2015-08-04
  END_GROUP = PRODUCT_METADATA
  GROUP = IMAGE_ATTRIBUTES
    SUN_AZIMUTH = 108.01245855
    SUN_ELEVATION = 66.16853270
  END_GROUP = IMAGE_ATTRIBUTES
  GROUP = RADIOMETRIC_RESCALING
    RADIANCE_MULT_BAND_10 = 3.3420E-04
    RADIANCE_MULT_BAND_11 = 3.3420E-04
    RADIANCE_ADD_BAND_10 = 0.10000
    RADIANCE_ADD_BAND_11 = 0.10000
    REFLECTANCE_MULT_BAND_4 = 2.0000E-05
    REFLECTANCE_ADD_BAND_4 = -0.100000
  END_GROUP = RADIOMETRIC_RESCALING
  GROUP = TIRS_THERMAL_CONSTANTS
    K1_CONSTANT_BAND_10 = 774.8853
    K1_CONSTANT_BAND_11 = 480.8883
    K2_CONSTANT_BAND_10 = 1321.0789
    K2_CONSTANT_BAND_11 = 1201.1442
  END_GROUP = TIRS_THERMAL_CONSTANTS
END_GROUP = L1_METADATA_FILE
END
'''


def test_odl_text_parses_into_groups_and_typed_values():
    mtl = parse_mtl_text(C1_TEXT)
    root = mtl['L1_METADATA_FILE']
    assert root['METADATA_FILE_INFO']['COLLECTION_NUMBER'] == 1
    assert root['PRODUCT_METADATA']['DATE_ACQUIRED'] == '2015-08-04'
    assert root['PRODUCT_METADATA']['SPACECRAFT_ID'] == 'LANDSAT_8'
    assert root['RADIOMETRIC_RESCALING']['RADIANCE_MULT_BAND_10'] == 3.342e-4
    cal = calibration_from_mtl(mtl, 'c1.txt')
    assert cal.tirs['B11'] == dict(mult=3.342e-4, add=0.1, k1=480.8883, k2=1201.1442)
    assert cal.oli_reflectance == {'B4': (2e-5, -0.1)}
    assert cal.sun_elevation_deg == pytest.approx(66.1685327)
    assert cal.sun_azimuth_deg == pytest.approx(108.01245855)
    assert cal.spacecraft == 'LANDSAT_8' and cal.source == 'c1.txt'
    with pytest.raises(ValueError, match='line 3 is not KEY = VALUE'):
        parse_mtl_text('GROUP = A\n  X = 1\n  garbage\nEND_GROUP = A\nEND\n', 'bad.txt')
    with pytest.raises(ValueError, match='END_GROUP = B but the open group is A'):
        parse_mtl_text('GROUP = A\nEND_GROUP = B\nEND\n')
    with pytest.raises(ValueError, match='group A is never closed'):
        parse_mtl_text('GROUP = A\n  X = 1\n')
    with pytest.raises(ValueError, match='key X given twice in group A'):
        parse_mtl_text('GROUP = A\n  X = 1\n  X = 2\nEND_GROUP = A\nEND\n')


def test_collection2_text_and_json_give_the_same_calibration(tmp_path):
    groups = mtl_groups(product_id(9), L9_TIRS, 41.5, 140.25, (3, 4), C2_TRANSFORM, 9)
    (tmp_path / 'a_MTL.txt').write_text(mtl_text(groups))
    (tmp_path / 'b_MTL.json').write_text(mtl_json(groups))
    txt = read_mtl_calibration(str(tmp_path / 'a_MTL.txt'))
    js = read_mtl_calibration(str(tmp_path / 'b_MTL.json'))
    assert txt.tirs == js.tirs and txt.oli_reflectance == js.oli_reflectance
    assert txt.tirs['B10'] == dict(mult=3.8e-4, add=0.1, k1=799.0284, k2=1329.2405)
    assert txt.tirs['B11']['k1'] == 475.6581
    assert sorted(txt.oli_reflectance) == ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7']
    assert (txt.sun_elevation_deg, js.sun_elevation_deg) == (41.5, 41.5)
    assert js.sun_azimuth_deg == 140.25 and js.spacecraft == 'LANDSAT_9'
    # JSON values are strings, as USGS writes them
    raw = read_mtl(str(tmp_path / 'b_MTL.json'))
    assert raw['LANDSAT_METADATA_FILE']['LEVEL1_THERMAL_CONSTANTS'][
        'K1_CONSTANT_BAND_10'] == '799.0284'


def test_bad_mtl_files_are_one_clear_error(tmp_path):
    groups = mtl_groups(product_id(), L9_TIRS, 41.5, 140.0, (3, 4), C2_TRANSFORM)
    del groups['LANDSAT_METADATA_FILE']['LEVEL1_THERMAL_CONSTANTS']['K2_CONSTANT_BAND_11']
    (tmp_path / 'x_MTL.txt').write_text(mtl_text(groups))
    with pytest.raises(ValueError, match=r'x_MTL.txt: no K2_CONSTANT_BAND_11 in group '
                                         r'LEVEL1_THERMAL_CONSTANTS or TIRS_THERMAL_CONSTANTS'):
        read_mtl_calibration(str(tmp_path / 'x_MTL.txt'))
    night = mtl_groups(product_id(), L9_TIRS, -12.0, 140.0, (3, 4), C2_TRANSFORM)
    (tmp_path / 'n_MTL.json').write_text(mtl_json(night))
    with pytest.raises(ValueError, match=r'SUN_ELEVATION -12.0 deg is outside \(0, 90\]'):
        read_mtl_calibration(str(tmp_path / 'n_MTL.json'))
    (tmp_path / 'j_MTL.json').write_text('{"SOMETHING": {}}')
    with pytest.raises(ValueError, match='expected a Landsat metadata file with root group'):
        read_mtl(str(tmp_path / 'j_MTL.json'))
    (tmp_path / 'k_MTL.json').write_text('{"LANDSAT_METADATA_FILE": ')
    with pytest.raises(ValueError, match='not valid JSON'):
        read_mtl(str(tmp_path / 'k_MTL.json'))
    bad = mtl_groups(product_id(), L9_TIRS, 41.5, 140.0, (3, 4), C2_TRANSFORM)
    bad['LANDSAT_METADATA_FILE']['LEVEL1_RADIOMETRIC_RESCALING']['RADIANCE_MULT_BAND_10'] = \
        '"n/a"'
    (tmp_path / 'm_MTL.txt').write_text(mtl_text(bad))
    with pytest.raises(ValueError, match=r"RADIANCE_MULT_BAND_10 = 'n/a' is not a float"):
        read_mtl_calibration(str(tmp_path / 'm_MTL.txt'))
    os.makedirs(tmp_path / 'two')
    (tmp_path / 'two' / 'a_MTL.txt').write_text('')
    (tmp_path / 'two' / 'b_MTL.txt').write_text('')
    with pytest.raises(ValueError, match='expected one \\*_MTL.txt'):
        find_mtl(str(tmp_path / 'two'))


def test_collection2_folder_reads_with_its_mtl(tmp_path):
    bt10 = np.array([[290.0, 300.0, 310.0], [280.0, np.nan, 320.0]])
    bt11 = bt10 - 1.5
    qa = np.array([[21824, QA_CLOUD, 21824], [QA_SHADOW, 21824, 21824]])
    # Landsat-9 constants (LC09 file names) and a sun elevation of 30 deg
    scene = write_c2_scene(str(tmp_path / 'l9'), bt10, bt11, qa=qa, spacecraft=9,
                           mtl=('json',))
    names = sorted(os.listdir(scene['folder']))
    assert names[0] == 'LC09_L1TP_020039_20150804_20200908_02_T1_B1.TIF'
    assert 'LC09_L1TP_020039_20150804_20200908_02_T1_QA_PIXEL.TIF' in names
    l1 = read_landsat8_l1(scene['folder'], bands=('B10', 'B11', 'B4', 'B5'))
    assert l1.calibration.spacecraft == 'LANDSAT_9'
    assert l1.calibration.source.endswith('_MTL.json')
    bt = l1.brightness_temperature('B10')
    # DN quantisation: 1 DN = 3.8e-4 W m-2 sr-1 um-1, about 0.005 K at these temperatures
    np.testing.assert_allclose(bt[np.isfinite(bt10)], bt10[np.isfinite(bt10)], atol=0.01)
    assert np.isnan(bt[1, 1])
    np.testing.assert_allclose(l1.brightness_temperature('B11')[0], bt11[0], atol=0.01)
    # the sun-elevation correction of the MTL: rho = rho' / sin(30 deg)
    np.testing.assert_allclose(l1.toa_reflectance('B5')[0], 0.3, atol=1e-4)
    # the same DNs with nominal Landsat-8 constants would be far off
    nominal = read_landsat8_l1(scene['folder'], bands=('B10',), mtl=None)
    assert abs(nominal.brightness_temperature('B10')[0, 0] - 290.0) > 5
    fields = l1.qa()
    assert l1.qa_layout() == 'collection2'
    assert fields['cloud'][0, 1] and fields['cloud_shadow'][1, 0] and fields['fill'][1, 1]
    # the shadow value 23888 (LSDS-1619) keeps the clear bit: clear = not cloud
    assert fields['cloud_confidence'][0, 1] == 3 and fields['clear'].sum() == 4
    # a window of the folder: the window's DNs and transform
    part = read_landsat8_l1(scene['folder'], bands=('B10',), window=((1, 2), (1, 3)))
    assert part.shape == (1, 2) and part.profile['transform'] == C2_TRANSFORM * \
        C2_TRANSFORM.translation(1, 1)
    np.testing.assert_array_equal(part.dn['B10'], l1.dn['B10'][1:2, 1:3])


def test_landsat9_without_mtl_is_refused_and_l8_falls_back_to_nominal(tmp_path):
    bt = np.full((2, 2), 300.0)
    l9 = write_c2_scene(str(tmp_path / 'l9'), bt, bt - 1, spacecraft=9, mtl=())
    with pytest.raises(ValueError, match='Landsat-9 folder .* without its'):
        read_landsat8_l1(l9['folder'], bands=('B10',))
    l8 = write_c2_scene(str(tmp_path / 'l8'), bt, bt - 1, spacecraft=8, mtl=())
    assert scene_calibration(l8['folder']) == Landsat8Calibration.nominal()
    got = read_landsat8_l1(l8['folder'], bands=('B10',)).brightness_temperature('B10')
    np.testing.assert_allclose(got, 300.0, atol=0.01)
    # text preferred over JSON when both are present; an explicit path wins
    both = write_c2_scene(str(tmp_path / 'both'), bt, bt - 1, sun_elevation=45.0)
    assert find_mtl(both['folder']).endswith('_MTL.txt')
    cal = scene_calibration(both['folder'], osp.join(both['folder'],
                                                    both['product_id'] + '_MTL.json'))
    assert cal.source.endswith('.json') and cal.sun_elevation_deg == 45.0
    rho = read_landsat8_l1(both['folder'], bands=('B4',)).toa_reflectance('B4')
    np.testing.assert_allclose(rho, 0.1, atol=1e-4)
    assert math.isclose(cal.tirs['B10']['k2'], 1321.0789)
