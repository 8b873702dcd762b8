"""tools/retrieve.py as a command (its arguments are the subject): a synthetic Collection 2 folder
with a shipped learned model and no checkpoint, generic rasters, and a bad input that exits 2
with one line and writes nothing."""
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from affine import Affine

from groklst.apis.retrieval.weights import load_manifest
from groklst.fileio.raster import read_raster, write_raster
from tests.fixtures.landsat_c2 import QA_CLOUD, write_c2_scene

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CRS = 'EPSG:32616'
T30 = Affine(30.0, 0.0, 452475.0, 0.0, -30.0, 3408645.0)
pytestmark = pytest.mark.skipif(not {'mlp', 'sftl'} <= set(load_manifest()),
                                reason='shipped weights missing')


def _retrieve(*args):
    return subprocess.run([sys.executable, 'tools/retrieve.py', *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_collection2_folder_with_a_shipped_model(tmp_path):
    bt10 = np.full((20, 24), 300.0)
    bt10[:, 18:] = 330.0  # hotter than any simulated BT (~320 K): out of the domain
    qa = np.full(bt10.shape, 21824)
    qa[5, 5] = QA_CLOUD
    scene = write_c2_scene(str(tmp_path / 'LC08_L1TP_020039_20150804_20200908_02_T1'), bt10,
                           bt10 - 1.0, qa=qa)
    # a coarse water-vapour field (4 x the pixel size), resampled onto the scene grid
    wvc = write_raster(tmp_path / 'wvc.tif', np.full((1, 5, 6), 2.5, np.float32), CRS,
                       T30 * Affine.scale(4))
    out = tmp_path / 'out' / 'mlp.tif'
    r = _retrieve('--scene', scene['folder'], '--method', 'mlp', '--wvc', wvc,
                  '--cloud-buffer', 1, '--window', 8, '--out', out)
    assert r.returncode == 0, r.stderr
    assert 'calibration from LC08_L1TP_020039_20150804_20200908_02_T1_MTL.txt' in r.stdout
    assert 'bilinear resampling' in r.stdout and 'shipped weights' in r.stdout
    # 6 columns x 20 rows hotter than the training BTs are counted
    assert 'out of the training domain: 120 px' in r.stdout
    lst, prof = read_raster(out)
    qa_out = read_raster(tmp_path / 'out' / 'mlp_qa.tif')[0][0]
    assert prof['descriptions'] == ('lst',) and prof['units'] == ('K',)
    assert np.isnan(lst[0, 4:7, 4:7]).all() and (qa_out[4:7, 4:7] == 129).all()
    # BT beyond the training range (2), and the prediction beyond the training LST range (64)
    assert (qa_out[:, 18:] == 2 | 64).all() and (qa_out[:4, :18] == 0).all()
    assert 295 < np.nanmedian(lst[0, :, :18]) < 310


def test_generic_rasters_and_a_bad_input(tmp_path):
    paths = {}
    for name, value in (('b10', 300.0), ('b11', 298.5), ('red', 0.1), ('nir', 0.3)):
        paths[name] = write_raster(tmp_path / f'{name}.tif', np.full((1, 6, 7), value,
                                                                     np.float32), CRS, T30)
    out = tmp_path / 'o' / 'sftl.tif'
    r = _retrieve('--bt', f'B10={paths["b10"]}', f'B11={paths["b11"]}', '--red', paths['red'],
                  '--nir', paths['nir'], '--wvc', 2.0, '--method', 'sftl', '--out', out)
    assert r.returncode == 0, r.stderr
    lst = read_raster(out)[0]
    assert lst.shape == (1, 6, 7) and np.isfinite(lst).all() and 298 < lst[0, 0, 0] < 312
    # Celsius instead of kelvin: one line, exit 2, nothing written
    write_raster(tmp_path / 'c.tif', np.full((1, 6, 7), 26.85, np.float32), CRS, T30)
    bad = tmp_path / 'bad'
    os.makedirs(bad)
    r = _retrieve('--bt', f'B10={tmp_path / "c.tif"}', f'B11={paths["b11"]}', '--wvc', 2.0,
                  '--method', 'sftl', '--out', bad / 'lst.tif')
    assert r.returncode == 2 and os.listdir(bad) == []
    assert r.stderr.strip().splitlines()[-1].endswith(
        'value 26.85 outside [150, 400] K (brightness temperatures in kelvin; degrees Celsius '
        'or scaled integers given?)')
