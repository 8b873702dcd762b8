"""Raster tile dataset + transforms: alignment of LR/HR/guidance, masks, bad input."""
import json
import os.path as osp

import numpy as np
import pytest
import rasterio
import torch

from groklst.datasets.raster_tile_dataset import RasterTileDataset
from groklst.datasets.transforms import (LoadLSTSample, NormalizeGuidance, PackLSTInputs,
                                         PadBands, PairedFlipRot, PairedRandomCrop,
                                         RandomBandDrop)
from tests.fixtures.make_scene_fixture import BANDS, make_scene_fixture


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scene'))
    info = make_scene_fixture(root)
    return root, info


def _dataset(root, split='train', scale=4, pipeline=(), **kw):
    return RasterTileDataset(data_root=root, split=split, scale=scale, pipeline=list(pipeline),
                             **kw)


def block_mean(a, s):
    c, h, w = a.shape
    return a.reshape(c, h // s, s, w // s, s).mean(axis=(2, 4))


def test_splits_are_spatially_disjoint(scene):
    root, _ = scene
    owner = {}
    for split in ('train', 'val', 'test'):
        ds = _dataset(root, split)
        assert len(ds) > 0
        for item in ds:
            (r, c), (h, w) = item['hr_window']
            for i in range(r, r + h):
                for j in range(c, c + w):
                    assert owner.setdefault((i, j), split) == split


def test_load_aligns_lr_hr_and_masks(scene):
    root, info = scene
    ds = _dataset(root, 'train', scale=4, pipeline=[dict(type='LoadLSTSample')])
    hits = 0
    for i in range(len(ds)):
        r = ds[i]
        assert r['lr_lst'].shape == (1, 8, 8) and r['gt_lst'].shape == (1, 32, 32)
        assert r['guidance'].shape == (3, 32, 32)
        for key in ('lr_lst', 'gt_lst', 'guidance'):
            assert np.isfinite(r[key]).all() and r[key].dtype == np.float32
        (row, col), _ = r['hr_window']
        np.testing.assert_array_equal(r['gt_mask'][0], info['mask'][row:row + 32, col:col + 32])
        full = block_mean(r['gt_lst'], 4)
        valid_blocks = block_mean(r['gt_mask'].astype(float), 4) == 1
        np.testing.assert_allclose(r['lr_lst'][valid_blocks], full[valid_blocks], atol=1e-3)
        hits += int((~r['gt_mask']).any())
    assert hits > 0, 'the fixture cloud should fall into at least one train tile'


def test_crop_and_flip_keep_alignment(scene):
    root, _ = scene
    np.random.seed(3)
    ds = _dataset(root, 'train', scale=2, pipeline=[
        dict(type='LoadLSTSample'), dict(type='PairedRandomCrop', gt_patch_size=16),
        dict(type='PairedFlipRot', flip_prob=0.5, rot90_prob=0.5)])
    seen = set()
    for i in range(len(ds)):
        r = ds[i]
        assert r['gt_lst'].shape == (1, 16, 16) and r['lr_lst'].shape == (1, 8, 8)
        seen.add(r['flip_rot'])
        valid = block_mean(r['gt_mask'].astype(float), 2) == 1
        np.testing.assert_allclose(r['lr_lst'][valid], block_mean(r['gt_lst'], 2)[valid],
                                   atol=1e-3)
    assert len(seen) > 2, 'flips/rotations were never drawn'


def test_crop_rejects_bad_patch():
    r = dict(scale=4, lr_lst=np.zeros((1, 4, 4), np.float32))
    with pytest.raises(ValueError, match='multiple of scale 4'):
        PairedRandomCrop(gt_patch_size=18)(dict(r))
    with pytest.raises(ValueError, match='larger than LR sample'):
        PairedRandomCrop(gt_patch_size=32)(dict(r))


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


def test_band_drop_and_pad():
    g = np.ones((4, 2, 2), np.float32)
    bands = ['a', 'b', 'c', 'd']
    r = RandomBandDrop({'a': 1.0, 'c': 1.0}, zero_fill=True)(dict(guidance=g, guidance_bands=bands))
    assert r['guidance'].shape == (4, 2, 2)
    np.testing.assert_array_equal(r['guidance'][:, 0, 0], [0, 1, 0, 1])
    np.testing.assert_array_equal(r['band_keep_mask'], [False, True, False, True])
    r = RandomBandDrop({b: 1.0 for b in bands}, zero_fill=False, min_kept=1)(
        dict(guidance=g, guidance_bands=bands))
    assert r['guidance'].shape[0] == 1 and len(r['guidance_bands']) == 1
    r = PadBands(num_bands=4)(r)
    assert r['guidance'].shape == (4, 2, 2)
    np.testing.assert_array_equal(r['guidance'][:, 0, 0], [0, 1, 0, 0])
    with pytest.raises(ValueError, match='Cannot pad 4'):
        PadBands(num_bands=3)(r)


def test_pack_outputs_contract(scene):
    root, _ = scene
    ds = _dataset(root, 'val', scale=4, pipeline=[
        dict(type='LoadLSTSample'), dict(type='PackLSTInputs')])
    out = ds[0]
    assert tuple(out['inputs']['lr'].shape) == (1, 8, 8)
    assert tuple(out['inputs']['guidance'].shape) == (3, 32, 32)
    s = out['data_samples']
    assert s.gt_mask.dtype.is_floating_point is False and tuple(s.gt_lst.shape) == (1, 32, 32)
    assert s.scale == 4 and s.sample_id


def _rewrite(path, arr):
    with rasterio.open(path) as src:
        profile = src.profile
    profile.update(count=arr.shape[0], height=arr.shape[1], width=arr.shape[2], dtype=arr.dtype)
    with rasterio.open(path, 'w', **profile) as dst:
        dst.write(arr)


def test_bad_input_errors(tmp_path):
    root = str(tmp_path)
    make_scene_fixture(root, size=64, tile=32)
    ds = _dataset(root, 'train', scale=4)
    item = ds.get_data_info(0)
    with pytest.raises(ValueError, match='expected 4 bands.*found 3'):
        LoadLSTSample(expected_bands=4)(dict(item))
    # LR of the wrong size for the scale
    with rasterio.open(osp.join(root, 'lr_lst_x2.tif')) as src:
        lr2 = src.read()
    _rewrite(osp.join(root, 'lr_lst_x4.tif'), lr2)
    item = dict(item, hr_window=None)
    with pytest.raises(ValueError, match=r'not related by scale 4'):
        LoadLSTSample()(dict(item, guidance_path=None))
    with pytest.raises(FileNotFoundError, match='nope.json'):
        _dataset(root, 'train', ann_file='nope.json')
    with pytest.raises(ValueError, match="Split 'tset'"):
        _dataset(root, 'tset')


def test_nan_lr_is_masked_and_filled(tmp_path):
    root = str(tmp_path)
    make_scene_fixture(root, size=64, tile=32)
    with rasterio.open(osp.join(root, 'lr_lst_x4.tif')) as src:
        lr = src.read()
    lr[0, 0, 0] = np.nan
    lr[0, 1, 1] = 5000.0  # non-physical
    _rewrite(osp.join(root, 'lr_lst_x4.tif'), lr.astype(np.float32))
    ds = _dataset(root, 'train', scale=4, pipeline=[dict(type='LoadLSTSample')])
    r = [ds[i] for i in range(len(ds)) if ds[i]['hr_window'][0] == (0, 0)][0]
    assert not r['lr_mask'][0, 0, 0] and not r['lr_mask'][0, 1, 1]
    assert np.isfinite(r['lr_lst']).all() and r['lr_lst'].max() < 400
    # filled with the value of a valid pixel of the tile
    tile = lr[0, :8, :8]
    assert r['lr_lst'][0, 1, 1] in set(tile[r['lr_mask'][0]].tolist())


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


def test_random_draws_differ_between_dataloader_workers(scene):
    """Under MMEngine's worker seeding, two workers must not repeat each other's crops/drops."""
    from functools import partial

    from mmengine.dataset.utils import worker_init_fn
    from torch.utils.data import DataLoader
    root, _ = scene
    ds = _dataset(root, 'train', scale=2, pipeline=[
        dict(type='LoadLSTSample'), dict(type='PairedRandomCrop', gt_patch_size=8),
        dict(type='RandomBandDrop', drop_rates={b: 0.5 for b in BANDS})])
    first = ds.get_data_info(0)

    class Same(torch.utils.data.Dataset):  # every index is the same tile
        def __len__(self):
            return 8

        def __getitem__(self, i):
            r = ds.pipeline(dict(first))
            return r['crop_origin_lr'], tuple(r['band_keep_mask'].tolist())

    loader = DataLoader(Same(), batch_size=None, num_workers=2,
                        worker_init_fn=partial(worker_init_fn, num_workers=2, rank=0, seed=0))
    draws = list(loader)
    # DataLoader interleaves workers: even items from worker 0, odd from worker 1
    assert draws[0::2] != draws[1::2]
