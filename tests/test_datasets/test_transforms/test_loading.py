"""Loading transforms (groklst.datasets.transforms.loading): LoadLSTSample (npz samples,
cached scene reads equal window reads), NormalizeGuidance with the train statistics, the
nearest-neighbour filling of invalid pixels."""
import json
import os.path as osp

import numpy as np
import pytest

from groklst.datasets.raster_tile_dataset import RasterTileDataset
from groklst.datasets.transforms import LoadLSTSample, NormalizeGuidance
from tests.fixtures.make_scene_fixture import BANDS, make_scene_fixture


def test_npz_samples_load(tmp_path):
    lr = (300 + np.random.rand(4, 4)).astype(np.float64)
    gt = np.repeat(np.repeat(lr, 2, 0), 2, 1).astype(np.int16)  # non-float: cast, not crash
    np.savez(tmp_path / 'lr.npz', lst=lr)
    np.savez(tmp_path / 'gt.npz', lst=gt)
    np.savez(tmp_path / 'g.npz', nir=np.ones((8, 8)), red=np.zeros((8, 8)))
    r = LoadLSTSample()(dict(lr_path=str(tmp_path / 'lr.npz'), gt_path=str(tmp_path / 'gt.npz'),
                             guidance_path=str(tmp_path / 'g.npz'), guidance_bands=['red', 'nir'],
                             scale=2, lr_format='npz'))
    assert r['lr_lst'].dtype == np.float32 and r['gt_lst'].dtype == np.float32
    assert r['gt_lst'].shape == (1, 8, 8) and r['guidance'].shape == (2, 8, 8)
    np.testing.assert_array_equal(r['guidance'][:, 0, 0], [0, 1])
    assert r['gt_mask'].all() and r['lr_mask'].all()


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scene'))
    info = make_scene_fixture(root)
    return root, info


def _dataset(root, split='train', scale=4, pipeline=(), **kw):
    return RasterTileDataset(data_root=root, split=split, scale=scale, pipeline=list(pipeline),
                             **kw)


def test_normalize_guidance_uses_train_stats(scene):
    root, info = scene
    norm = NormalizeGuidance(osp.join(root, 'stats.json'))
    with open(osp.join(root, 'stats.json')) as f:
        stats = json.load(f)
    g = info['guidance'][:, :32, :32].copy()
    out = norm(dict(guidance=g, guidance_bands=BANDS))['guidance']
    for i, b in enumerate(BANDS):
        np.testing.assert_allclose(out[i], (g[i] - stats['guidance'][b]['mean'])
                                   / stats['guidance'][b]['std'], rtol=1e-5)
    with pytest.raises(KeyError, match='nir'):
        norm(dict(guidance=g, guidance_bands=['b1', 'b2', 'nir']))


def test_fill_invalid_nearest_neighbour():
    from groklst.datasets.transforms.loading import fill_invalid
    a = np.array([[[1., 2., 3., 4., 5.]]], np.float32)
    m = np.array([[[True, False, False, False, True]]])
    out = fill_invalid(a, m)
    assert out[0, 0, 1] == 1 and out[0, 0, 3] == 5 and out[0, 0, 2] in (1, 5)
    np.testing.assert_array_equal(out[m], a[m])
    np.testing.assert_array_equal(fill_invalid(a, np.zeros_like(m)), np.zeros_like(a))


def test_cached_scene_reads_equal_window_reads(scene):
    root, _ = scene
    ds = _dataset(root, 'train', scale=2)
    for i in (0, len(ds) - 1):
        item = ds.get_data_info(i)
        a = LoadLSTSample()(dict(item))
        b = LoadLSTSample(cache_scenes=True)(dict(item))
        for key in ('lr_lst', 'lr_mask', 'gt_lst', 'gt_mask', 'guidance'):
            np.testing.assert_array_equal(a[key], b[key])
        b['gt_lst'][:] = 0  # results are copies: the cache must not change
        c = LoadLSTSample(cache_scenes=True)(dict(item))
        np.testing.assert_array_equal(a['gt_lst'], c['gt_lst'])
