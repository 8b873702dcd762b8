"""Dataset checks (groklst.datasets.check) on good and deliberately broken datasets; the command
line (exit status, printed report) is tested in tests/test_tools/test_check_dataset.py."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import scipy.io as sio

from groklst.datasets import check
from tests.fixtures.make_groklst_fixture import make_groklst_fixture
from tests.fixtures.make_scene_fixture import make_scene_fixture
from tests.fixtures.make_scene_fixture import rewrite_raster as _rewrite


@pytest.fixture(scope='module')
def scene_src(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scene_src'))
    make_scene_fixture(root, size=64, tile=32)
    return root


@pytest.fixture(scope='module')
def mat_src(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('mat_src'))
    make_groklst_fixture(root, n=4, hr=16)
    return root


@pytest.fixture
def scene(scene_src, tmp_path):
    return shutil.copytree(scene_src, str(tmp_path / 'scene'))


@pytest.fixture
def mat(mat_src, tmp_path):
    return shutil.copytree(mat_src, str(tmp_path / 'mat'))


def test_good_datasets_pass(mat):
    # the report the tool prints and whose .ok gives its exit status
    assert check.check_dataset(mat, 4, fmt='mat').ok
    rep = check.check_groklst(mat, 2)
    assert rep.ok and len(rep.files) == 12  # 4 tiles x (HR LST, LR LST, guidance)
    assert all(f['bands'] == (10 if 'guidance' in f['path'] else 1) for f in rep.files)


def test_crs_mismatch_band_count_and_scale_mismatch(scene):
    def other_crs(a, p):
        p['crs'] = 'EPSG:4326'
        return a, p

    _rewrite(osp.join(scene, 'lr_lst_x4.tif'), other_crs)
    _rewrite(osp.join(scene, 'guidance.tif'), lambda a, p: (a[:2], p))
    rep = check.check_raster_scene(scene, 4)
    assert any('CRS mismatch' in e and 'lr_lst_x4.tif' in e for e in rep.errors), rep.errors
    assert any('2 guidance bands' in e and 'lists 3' in e for e in rep.errors), rep.errors
    # x2 LR raster checked as if it were x4: wrong size
    os.replace(osp.join(scene, 'lr_lst_x2.tif'), osp.join(scene, 'lr_lst_x4.tif'))
    rep = check.check_raster_scene(scene, 4)
    assert any('expected 16 x 16' in e for e in rep.errors), rep.errors


def test_all_nan_and_missing_files(scene):
    _rewrite(osp.join(scene, 'hr_lst.tif'), lambda a, p: (np.full_like(a, np.nan), p))
    os.remove(osp.join(scene, 'valid_mask.tif'))
    rep = check.check_raster_scene(scene, 4)
    assert any('hr_lst.tif: all pixels are NaN' in e for e in rep.errors), rep.errors
    assert any('valid_mask.tif: missing' in e for e in rep.errors), rep.errors


def test_mat_missing_pair_corrupt_file_scale_and_split(mat):
    names = sorted(os.listdir(osp.join(mat, '30m', 'lst')))
    os.remove(osp.join(mat, '120m', 'lst', names[0]))
    with open(osp.join(mat, '30m', 'guidance', names[1]), 'wb') as f:
        f.write(b'MATLAB 5.0 MAT-file' + b'\0' * 20)
    sio.savemat(osp.join(mat, '120m', 'lst', names[2]), dict(data=np.ones((5, 4)) * 300))
    lst = sio.loadmat(osp.join(mat, '30m', 'lst', names[3]))['data'].astype(np.float64)
    sio.savemat(osp.join(mat, '30m', 'lst', names[3]), dict(data=lst * np.nan))
    with open(osp.join(mat, 'split', 'test.txt'), 'a') as f:
        f.write('\n99\n')
    rep = check.check_groklst(mat, 4)
    errs = '\n'.join(rep.errors)
    assert f'{names[0]}: no file in' in errs and '120m' in errs
    assert f"guidance/{names[1]}' (corrupt or truncated?)" in errs
    assert 'expected 20 x 16 at scale 4' in errs
    assert f'30m/lst/{names[3]}: all pixels are NaN' in errs
    assert "indices ['99']" in errs
    assert len(rep.errors) == 6, rep.errors  # the 5 x 4 LR mismatches HR LST and guidance
    rep = check.check_dataset(mat, 4, fmt='mat')
    assert not rep.ok and 'FAILED' in rep.format_text()


def test_unknown_layout_is_an_error(tmp_path):
    with pytest.raises(ValueError, match='not a folder'):
        check.check_dataset(str(tmp_path / 'nowhere'), 4)
