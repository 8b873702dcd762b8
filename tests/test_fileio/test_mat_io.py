"""GrokLST .mat readers (groklst.fileio.mat_io) on the synthetic published-layout fixture."""
import os.path as osp

import numpy as np
import pytest
import scipy.io as sio

from groklst.fileio.mat_io import (GROKLST_GUIDANCE_BANDS, MatVariableError, read_mat_guidance,
                                   read_mat_lst)
from tests.fixtures.make_groklst_fixture import make_groklst_fixture


@pytest.fixture(scope='module')
def fx(tmp_path_factory):
    return make_groklst_fixture(tmp_path_factory.mktemp('groklst') / 'groklst')


def test_read_mat_lst_casts_int16(fx):
    path = osp.join(fx['root'], '30m', 'lst', fx['int16_name'])
    lst = read_mat_lst(path)
    assert lst.dtype == np.float32 and lst.shape == (1, 32, 32)
    np.testing.assert_array_equal(lst[0], fx['hr_lst'][fx['int16_name']].astype(np.float32))


def test_read_mat_guidance_order_and_subset(fx):
    name = fx['names'][2]
    path = osp.join(fx['root'], '30m', 'guidance', name)
    g = read_mat_guidance(path)
    assert g.dtype == np.float32 and g.shape == (10, 32, 32)
    for k, band in enumerate(GROKLST_GUIDANCE_BANDS):
        np.testing.assert_allclose(g[k], fx['guidance'][name][band], rtol=1e-6)
    sub = read_mat_guidance(path, bands=['ndvi', 'dem'])
    assert sub.shape == (2, 32, 32)
    np.testing.assert_array_equal(sub[0], g[GROKLST_GUIDANCE_BANDS.index('ndvi')])
    np.testing.assert_array_equal(sub[1], g[0])
    assert GROKLST_GUIDANCE_BANDS == ('dem', 'deepblue', 'blue', 'green', 'red', 'vre', 'nir',
                                      'ndmvi', 'ndvi', 'ndwi')


def test_mat_reader_errors(tmp_path):
    missing = tmp_path / 'nope.mat'
    with pytest.raises(FileNotFoundError, match='nope.mat'):
        read_mat_lst(missing)
    with pytest.raises(FileNotFoundError, match='nope.mat'):
        read_mat_guidance(missing)

    partial = tmp_path / 'partial.mat'
    sio.savemat(partial, dict(dem=np.ones((4, 4)), red=np.ones((4, 4), np.uint8)))
    with pytest.raises(KeyError) as err:  # also a ValueError
        read_mat_guidance(partial)
    msg = str(err.value)
    assert isinstance(err.value, ValueError) and isinstance(err.value, MatVariableError)
    assert 'partial.mat' in msg and "'deepblue'" in msg and "'ndwi'" in msg
    assert "present: ['dem', 'red']" in msg
    assert read_mat_guidance(partial, bands=['red']).dtype == np.float32  # uint8 cast
    with pytest.raises(KeyError, match=r"'data'.*present: \['dem', 'red'\]"):
        read_mat_lst(partial)

    cube = tmp_path / 'cube.mat'
    sio.savemat(cube, dict(data=np.ones((2, 4, 4))))
    with pytest.raises(ValueError, match=r'\(2, 4, 4\)'):
        read_mat_lst(cube)
    # a singleton trailing axis (H, W, 1) is tolerated and squeezed
    hw1 = tmp_path / 'hw1.mat'
    sio.savemat(hw1, dict(data=np.arange(12.0).reshape(3, 4, 1)))
    np.testing.assert_array_equal(read_mat_lst(hw1), np.arange(12.0).reshape(1, 3, 4))

    bad = tmp_path / 'bad.mat'
    bad.write_bytes(b'not a mat file at all' * 10)
    with pytest.raises(ValueError, match='bad.mat'):
        read_mat_lst(bad)
