"""GrokLSTDataset (groklst.datasets.groklst_dataset) on a synthetic published-layout fixture:
layout, split files, pairing by name, missing and corrupt files named, GrokLST tiles through the
real pipeline and the Downscaler."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import scipy.io as sio
import torch

# import the module directly (registers the class) before building through the registry
from groklst.datasets.groklst_dataset import GrokLSTDataset
from groklst.datasets.stats import fit_stats
from groklst.fileio.mat_io import GROKLST_GUIDANCE_BANDS, read_mat_lst
from groklst.models.downscalers import Downscaler
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


@pytest.fixture(scope='module')
def groklst(fx):
    return fx['root'], fx


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


def test_corrupt_mat_error_names_the_file(tmp_path):
    from groklst.datasets import GrokLSTDataset
    from tests.fixtures.make_groklst_fixture import make_groklst_fixture
    make_groklst_fixture(str(tmp_path), n=4, hr=16)
    ds = GrokLSTDataset(str(tmp_path), split='test', scale=4,
                        pipeline=[dict(type='LoadLSTSample')])
    bad = osp.join(str(tmp_path), ds.get_data_info(0)['lr_path'])
    data = open(bad, 'rb').read()
    with open(bad, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r'cannot read MAT file .*120m/lst/.*corrupt or trunc'):
        ds[0]


@pytest.mark.parametrize('scale', [2, 4, 8])
def test_pipeline_pairs_and_packs(groklst, tmp_path, scale):
    root, info = groklst
    stats = fit_stats(dict(type='GrokLSTDataset', data_root=root, split='train', scale=scale))
    stats_file = str(tmp_path / 'stats.json')
    with open(stats_file, 'w') as f:
        json.dump(stats, f)
    ds = DATASETS.build(dict(
        type='GrokLSTDataset', data_root=root, split='test', scale=scale,
        pipeline=[dict(type='LoadLSTSample'), dict(type='NormalizeGuidance', stats_file=stats_file),
                  dict(type='PackLSTInputs')]))
    model = Downscaler(scale=scale, residual='bicubic', lst_norm=dict(stats_file=stats_file))
    for i in range(len(ds)):
        out = ds[i]
        lr, g = out['inputs']['lr'], out['inputs']['guidance']
        s = out['data_samples']
        assert tuple(lr.shape) == (1, 32 // scale, 32 // scale) and tuple(g.shape) == (10, 32, 32)
        assert lr.dtype == torch.float32 and g.dtype == torch.float32
        block = s.gt_lst.reshape(1, 32 // scale, scale, 32 // scale, scale).mean(dim=(2, 4))
        torch.testing.assert_close(lr, block, atol=1e-3, rtol=0)
        pred = model(dict(lr=lr[None], guidance=g[None]), mode='tensor')
        assert pred.shape == (1, 1, 32, 32) and torch.isfinite(pred).all()
