"""Augmentations (groklst.datasets.transforms.augment): paired crop and flips keep LR/HR
aligned, band drop and padding, different draws in different dataloader workers."""
import numpy as np
import pytest
import torch

from groklst.datasets.raster_tile_dataset import RasterTileDataset
from groklst.datasets.transforms import PadBands, PairedRandomCrop, RandomBandDrop
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
