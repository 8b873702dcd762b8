"""Tests of the GrokLST .mat readers and GrokLSTDataset on a synthetic published-layout fixture."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import scipy.io as sio

# import the module directly (registers the class) before building through the registry
from groklst.datasets.groklst_dataset import GrokLSTDataset
from groklst.fileio.mat_io import (GROKLST_GUIDANCE_BANDS, MatVariableError, read_mat_guidance,
                                   read_mat_lst)
from groklst.registry import DATASETS
from tests.fixtures.make_groklst_fixture import block_mean, make_groklst_fixture

LR_RES = {2: '60m', 4: '120m', 8: '240m'}


@pytest.fixture(scope='module')
def fx(tmp_path_factory):
    return make_groklst_fixture(tmp_path_factory.mktemp('groklst') / 'groklst')


@pytest.fixture
def fx_copy(fx, tmp_path):
    """A private, modifiable copy of the fixture."""
    root = tmp_path / 'groklst'
    shutil.copytree(fx['root'], root)
    return dict(fx, root=str(root))


def build(root, **kwargs):
    return DATASETS.build(dict(type='GrokLSTDataset', data_root=str(root), **kwargs))


def infos(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]


# ----------------------------------------------------------------------------- fixture


def test_fixture_layout(fx):
    root = fx['root']
    for res in ('30m', '60m', '120m', '240m'):
        for kind in ('lst', 'guidance'):
            assert sorted(os.listdir(osp.join(root, res, kind))) == fx['names']
    assert sorted(os.listdir(osp.join(root, 'split'))) == [
        'test.txt', 'train.txt', 'trainval.txt', 'val.txt']
    # lexicographic order differs from numeric order (the trap for sort-based pairing)
    assert fx['names'] == ['1.mat', '10.mat', '11.mat', '2.mat', '20.mat', '3.mat']
    assert fx['splits'] == dict(train=[0, 1, 2], val=[3], test=[4, 5], trainval=[0, 1, 2, 3])
    assert sio.loadmat(osp.join(root, '30m', 'lst', fx['int16_name']))['data'].dtype == np.int16


# ----------------------------------------------------------------------------- mat readers


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


# ----------------------------------------------------------------------------- dataset


@pytest.mark.parametrize('split', ['train', 'val', 'trainval', 'test'])
def test_split_files_parsed_first_token(fx, split):
    ds = build(fx['root'], split=split, scale=2)
    assert isinstance(ds, GrokLSTDataset)
    expected = fx['splits'][split]
    assert [d['sample_id'] for d in infos(ds)] == [str(i) for i in expected]
    # index i = position in the sorted HR file names (reference toolkit convention)
    assert [d['tile_name'] + '.mat' for d in infos(ds)] == [fx['names'][i] for i in expected]


@pytest.mark.parametrize('scale', [2, 4, 8])
def test_pairing_by_name(fx, scale):
    ds = build(fx['root'], split='trainval', scale=scale)
    assert len(ds) == 4
    for d in infos(ds):
        name = osp.basename(d['gt_path'])
        assert osp.basename(d['lr_path']) == name == osp.basename(d['guidance_path'])
        assert osp.dirname(d['lr_path']) == osp.join(fx['root'], LR_RES[scale], 'lst')
        assert osp.dirname(d['gt_path']) == osp.join(fx['root'], '30m', 'lst')
        assert osp.dirname(d['guidance_path']) == osp.join(fx['root'], '30m', 'guidance')
        assert d['scale'] == scale and d['lr_format'] == 'mat'
        assert d['guidance_bands'] == list(GROKLST_GUIDANCE_BANDS)
        hr = read_mat_lst(d['gt_path'])
        lr = read_mat_lst(d['lr_path'])
        assert lr.shape == (1, 32 // scale, 32 // scale)
        # the LR tile is the block mean of *this* HR tile (tiles differ by >= 1 K in mean)
        np.testing.assert_allclose(lr[0], block_mean(hr[0].astype(np.float64), scale),
                                   atol=1e-3)
        np.testing.assert_allclose(hr[0], fx['hr_lst'][name], atol=1e-4)
    # index 1 of trainval -> '10.mat' (sorted position 1), whose LST is around 250 + 10 K
    d1 = infos(ds)[1]
    assert d1['sample_id'] == '1' and d1['tile_name'] == '10'
    assert 258 < read_mat_lst(d1['lr_path']).mean() < 266


def test_pairing_survives_folders_that_sort_differently(fx_copy):
    # an extra LR-only file shifts every sort position in the LR folder: position pairing
    # (reference toolkit) would mispair, pairing by name must not
    root = fx_copy['root']
    sio.savemat(osp.join(root, '60m', 'lst', '0.mat'), dict(data=np.zeros((16, 16))))
    ds = build(root, split='trainval', scale=2)
    for d in infos(ds):
        assert osp.basename(d['lr_path']) == osp.basename(d['gt_path'])
        np.testing.assert_allclose(read_mat_lst(d['lr_path'])[0],
                                   block_mean(read_mat_lst(d['gt_path'])[0], 2), atol=1e-3)


def test_index_mode_name(fx_copy):
    root = fx_copy['root']
    with open(osp.join(root, 'split', 'by_name.txt'), 'w') as f:
        f.write('10\n2 extra tokens\n\n3\n')
    ds = build(root, ann_file='split/by_name.txt', index_mode='name', scale=4)
    assert [d['tile_name'] for d in infos(ds)] == ['10', '2', '3']
    assert [d['sample_id'] for d in infos(ds)] == ['10', '2', '3']


def test_missing_split_file_names_it(fx_copy):
    os.remove(osp.join(fx_copy['root'], 'split', 'val.txt'))
    with pytest.raises(FileNotFoundError, match=r'split[/\\]val\.txt'):
        build(fx_copy['root'], split='val', scale=2)


def test_missing_lr_file_names_index_and_folder(fx_copy):
    root = fx_copy['root']
    os.remove(osp.join(root, '120m', 'lst', '3.mat'))  # '3.mat' = sorted index 5 (test)
    with pytest.raises(FileNotFoundError) as err:
        build(root, split='test', scale=4)
    msg = str(err.value)
    assert "index '5'" in msg and "'3.mat'" in msg and osp.join('120m', 'lst') in msg
    # other scales are unaffected
    assert len(build(root, split='test', scale=2)) == 2


def test_missing_guidance_file_and_no_guidance(fx_copy):
    root = fx_copy['root']
    os.remove(osp.join(root, '30m', 'guidance', '20.mat'))  # sorted index 4 (test)
    with pytest.raises(FileNotFoundError, match=r"index '4'.*guidance"):
        build(root, split='test', scale=8)
    ds = build(root, split='test', scale=8, use_guidance=False)
    assert all(d['guidance_path'] is None and d['guidance_bands'] == [] for d in infos(ds))


def test_guidance_band_subset_and_metainfo(fx):
    ds = build(fx['root'], split='test', scale=2, guidance_bands=['ndvi', 'dem'])
    assert all(d['guidance_bands'] == ['ndvi', 'dem'] for d in infos(ds))
    assert ds.metainfo['dataset_name'] == 'GrokLST'
    assert ds.metainfo['guidance_bands'] == ('ndvi', 'dem') and ds.metainfo['scale'] == 2
    assert GrokLSTDataset.METAINFO['guidance_bands'] == GROKLST_GUIDANCE_BANDS


def test_argument_errors(fx_copy):
    root = fx_copy['root']
    with pytest.raises(ValueError, match='scale'):
        build(root, split='test', scale=3)
    with pytest.raises(ValueError, match='split'):
        build(root, split='holdout', scale=2)
    with pytest.raises(ValueError, match='nir2'):
        build(root, split='test', scale=2, guidance_bands=['nir2'])
    with open(osp.join(root, 'split', 'bad.txt'), 'w') as f:
        f.write('0\n6\n')  # 6 files -> valid indices 0..5
    with pytest.raises(ValueError, match='out of range'):
        build(root, ann_file='split/bad.txt', scale=2)


def test_base_dataset_kwargs_pass_through(fx):
    ds = build(fx['root'], split='test', scale=2, lazy_init=True, serialize_data=False,
               test_mode=True)
    assert not ds._fully_initialized and ds.test_mode and not ds.serialize_data
    assert len(ds) == 2 and ds._fully_initialized
    # the (empty) pipeline returns the data-list entry plus sample_idx
    assert ds[0]['sample_id'] == '4' and ds[0]['sample_idx'] == 0
