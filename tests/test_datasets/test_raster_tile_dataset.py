"""RasterTileDataset (groklst.datasets.raster_tile_dataset) on a synthetic GeoTIFF scene:
spatially disjoint splits, LR/HR/guidance alignment and masks, NaN and non-physical LR pixels
masked, and broken scenes (truncated file, CRS mismatch, shifted grid, band counts, scale
mismatch, all-NaN raster) refused with the file named."""
import os
import os.path as osp

import numpy as np
import pytest
import rasterio

from groklst.datasets.raster_tile_dataset import RasterTileDataset
from groklst.datasets.transforms import LoadLSTSample
from tests.fixtures.make_scene_fixture import make_scene_fixture, rewrite_raster


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


def _train_tiles(root, **kw):
    """The x4 train split of the scene at ``root``, loaded (LoadLSTSample)."""
    return RasterTileDataset(root, 'train', 4, pipeline=[dict(type='LoadLSTSample')], **kw)


def _copy_scene(scene, tmp_path):
    import shutil
    return shutil.copytree(scene[0], str(tmp_path / 'scene'))


def test_truncated_geotiff_error_names_the_file(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)
    ds = _train_tiles(root)
    path = osp.join(root, 'guidance.tif')
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 20])  # header intact, pixel data cut
    with pytest.raises(ValueError, match=r'guidance\.tif.*(corrupt or truncated|readable)'):
        ds[0]
    with pytest.raises(ValueError, match=r'guidance\.tif'):
        _train_tiles(root)[0]


def test_wrong_crs_between_paired_rasters(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)

    def utm17(a, p):
        p['crs'] = 'EPSG:32617'
        return a, p

    rewrite_raster(osp.join(root, 'lr_lst_x4.tif'), utm17)
    with pytest.raises(ValueError, match=r'CRS mismatch.*lr_lst_x4\.tif.*EPSG:32617'):
        _train_tiles(root)


def test_shifted_lr_grid_is_refused(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)

    def shift(a, p):
        p['transform'] = p['transform'] * rasterio.Affine.translation(0.5, 0)
        return a, p

    rewrite_raster(osp.join(root, 'lr_lst_x4.tif'), shift)
    with pytest.raises(ValueError, match=r'lr_lst_x4\.tif: geotransform .* coarsened by scale 4'):
        _train_tiles(root)


def test_wrong_band_count(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)
    rewrite_raster(osp.join(root, 'guidance.tif'), lambda a, p: (a[:2], p))
    with pytest.raises(ValueError, match=r'guidance\.tif: 2 guidance bands.*lists 3'):
        _train_tiles(root)
    rewrite_raster(osp.join(root, 'hr_lst.tif'), lambda a, p: (np.concatenate([a, a]), p))
    with pytest.raises(ValueError, match=r'hr_lst\.tif: expected 1 band \(hr\), found 2'):
        _train_tiles(root, use_guidance=False)


def test_scale_mismatch(scene, tmp_path):
    root = _copy_scene(scene, tmp_path)
    os.replace(osp.join(root, 'lr_lst_x2.tif'), osp.join(root, 'lr_lst_x4.tif'))
    with pytest.raises(ValueError, match=r'lr_lst_x4\.tif is 64 x 64 pixels .* expected 32 x 32 '
                                         r'\(HR size / scale 4\)'):
        _train_tiles(root)


def test_all_nan_tile_is_reported_and_never_reaches_the_model(scene, tmp_path):
    """An all-NaN LR raster: the checker refuses it by name; the loader masks every pixel
    (no NaN is passed on)."""
    from groklst.datasets.check import check_raster_scene
    root = _copy_scene(scene, tmp_path)
    rewrite_raster(osp.join(root, 'lr_lst_x4.tif'), lambda a, p: (np.full_like(a, np.nan), p))
    rep = check_raster_scene(root, 4)
    assert [e for e in rep.errors if 'lr_lst_x4.tif: all pixels are NaN' in e], rep.errors
    sample = _train_tiles(root)[0]
    assert not sample['lr_mask'].any() and np.isfinite(sample['lr_lst']).all()
