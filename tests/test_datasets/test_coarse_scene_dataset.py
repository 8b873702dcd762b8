"""CoarseSceneDataset: georeferenced alignment (offsets 0-3), projected CRSs, no data, one
guidance band, held-out blocks, sample kinds and shapes, and no fine LST ever read."""
import os.path as osp

import numpy as np
import pytest
import rasterio

from groklst.datasets.coarse_scene_dataset import CoarseSceneDataset
from groklst.utils import register_all_modules

from ..fixtures.make_coarse_scenes import (fields, make_scene, make_two_scenes,
                                           spy_rasterio_open, write_csv)

register_all_modules()


def _dataset(csv, split='train', bands=('ndvi',), **kw):
    kw.setdefault('crop_size', 8)
    kw.setdefault('val_block_size', 4)
    kw.setdefault('val_fraction', 0.2)
    return CoarseSceneDataset(csv, 4, list(bands), split=split, pipeline=[], **kw)


def _coarse_guidance_truth(r0, c0, size, offset, s=4, seed=0):
    """Analytic fine NDVI area-averaged onto coarse pixels (r0.., c0..) of the LR lattice."""
    rr, cc = np.mgrid[r0 * s:(r0 + size) * s, c0 * s:(c0 + size) * s]
    ndvi, _, _ = fields(rr - offset[0], cc - offset[1], seed)
    return ndvi.reshape(size, s, size, s).mean(axis=(1, 3))


@pytest.mark.parametrize('offset', [(0, 0), (1, 2), (2, 3), (3, 1)])
def test_samples_are_aligned_by_georeference_for_offsets_0_to_3(tmp_path, offset):
    sc = make_scene(str(tmp_path), 'sc', 4, (12, 12), offset, holes=False, bands=('ndvi',))
    csv = write_csv(str(tmp_path), [sc['row']])
    val = _dataset(csv, 'val', val_fraction=0.3)
    meta = val.scenes[0]
    assert meta['offset'] == offset
    # coarse pixels whose 4 x 4 block lies entirely on the guidance grid
    assert meta['region'][0][0] == (1 if offset[0] else 0)
    assert meta['region'][1][0] == (1 if offset[1] else 0)
    for i in range(len(val)):
        r = val.prepare_data(i)
        r0, c0 = map(int, r['sample_id'].split(':')[-1].split(','))
        assert r['sample_kind'] == 'reconstruction'
        np.testing.assert_allclose(r['gt_lst'][0], sc['coarse'][r0:r0 + 4, c0:c0 + 4],
                                   atol=1e-4)
        np.testing.assert_allclose(r['guidance'][0], _coarse_guidance_truth(r0, c0, 4, offset),
                                   atol=1e-5)
        # LR' = Wald's block mean of the target
        np.testing.assert_allclose(r['lr_lst'][0],
                                   sc['coarse'][r0:r0 + 4, c0:c0 + 4].reshape(1, 4, 1, 4)
                                   .mean(axis=(1, 3)), atol=1e-3)
        assert r['gt_mask'].all() and r['lr_mask'].all()
    native = _dataset(csv, native_fraction=1.0, samples_per_epoch=6)
    for i in range(len(native)):
        r = native.prepare_data(i)
        r0, c0 = map(int, r['sample_id'].split(':')[-1].split(','))
        assert r['sample_kind'] == 'consistency'
        assert r['lr_lst'].shape == (1, 2, 2) and r['guidance'].shape == (1, 8, 8)
        rr, cc = np.mgrid[r0 * 4:(r0 + 2) * 4, c0 * 4:(c0 + 2) * 4]
        ndvi, _, _ = fields(rr - offset[0], cc - offset[1])
        ok = r['gt_mask'][0]
        heldout = ~ok  # only held-out pixels may be masked here (no holes, inside the region)
        np.testing.assert_allclose(r['gt_lst'][0][ok], sc['coarse'][r0:r0 + 2, c0:c0 + 2][ok],
                                   atol=1e-4)
        g_ok = np.repeat(np.repeat(ok, 4, 0), 4, 1)
        np.testing.assert_allclose(r['guidance'][0][g_ok], ndvi[g_ok], atol=1e-6)
        assert heldout.sum() <= 3  # a 2 x 2 crop overlaps a held-out block by 3 px at most


def test_utm_and_laea_scenes_nan_and_declared_nodata(tmp_path):
    info = make_two_scenes(str(tmp_path))
    ds = _dataset(info['csv'], 'val', val_fraction=0.5)
    crs = {sc['id']: sc['crs'] for sc in ds.scenes}
    assert crs['utm33'] == 'EPSG:32633' and crs['laea'] == 'EPSG:3035'
    for i in range(len(ds)):
        r = ds.prepare_data(i)
        assert np.isfinite(r['gt_lst']).all() and np.isfinite(r['lr_lst']).all()
        # the declared nodata -9999 never reaches a target or an input
        assert (r['gt_lst'][r['gt_mask']] > 250).all() and r['lr_lst'].min() >= 0
    # the hole (coarse rows 1-2, cols 2-4) is masked in a sample that covers it, in both the
    # NaN scene and the -9999 scene
    for sid in ('utm33', 'laea'):
        k = [s['id'] for s in ds.scenes].index(sid)
        r = ds._reconstruction(ds.scenes[k], 0, 0, 8, False, None)
        assert not r['gt_mask'][0, 1:3, 2:5].any()
        assert r['gt_mask'][0, 4:, 5:].all()
        # an LR' pixel is valid when >= 90 % of its 16 coarse pixels are: the two LR' pixels
        # over the hole are not, and their targets are out of the loss too
        assert not r['lr_mask'][0, 0, 0] and not r['lr_mask'][0, 0, 1]
        assert not r['gt_mask'][0, :4, :8].any()
    stats = ds.fit_normalization_stats()
    assert 290 < stats['lst']['mean'] < 310 and stats['lst']['min'] > 250
    assert set(stats['guidance']) == {'ndvi'}


def test_train_samples_never_touch_heldout_pixels_and_mix_kinds(tmp_path):
    info = make_two_scenes(str(tmp_path))
    np.random.seed(0)
    ds = _dataset(info['csv'], native_fraction=0.5, samples_per_epoch=40, val_fraction=0.3)
    kinds = set()
    for i in range(len(ds)):
        r = ds.prepare_data(i)
        kinds.add(r['sample_kind'])
        sc = ds.scenes[[s['id'] for s in ds.scenes].index(r['scene_id'])]
        r0, c0 = map(int, r['sample_id'].split(':')[-1].split(','))
        size = r['gt_lst'].shape[-1]
        for br, bc in sc['heldout']:
            rows = slice(max(br - r0, 0), max(min(br + 4 - r0, size), 0))
            cols = slice(max(bc - c0, 0), max(min(bc + 4 - c0, size), 0))
            assert not r['gt_mask'][0, rows, cols].any()
        assert r['lr_lst'].shape == (1, 2, 2) and r['guidance'].shape == (1, 8, 8)
    assert kinds == {'reconstruction', 'consistency'}


def test_held_out_blocks_are_disjoint_and_stable(tmp_path):
    info = make_two_scenes(str(tmp_path))
    a = _dataset(info['csv'], 'val', val_fraction=0.3)
    b = _dataset(info['csv'], 'test', val_fraction=0.3)
    assert [s['heldout'] for s in a.scenes] == [s['heldout'] for s in b.scenes]
    for sc in a.scenes:
        blocks = sc['heldout']
        assert len(blocks) >= 1 and len(set(blocks)) == len(blocks)
        (r0, r1), (c0, c1) = sc['region']
        for br, bc in blocks:
            assert (br - r0) % 4 == 0 and (bc - c0) % 4 == 0
            assert r0 <= br and br + 4 <= r1 and c0 <= bc and bc + 4 <= c1


def test_sensor_degradation_and_two_band_split_guidance(tmp_path):
    sc = make_scene(str(tmp_path), 'two', 4, (16, 16), (1, 1), bands=('ndvi', 'albedo'),
                    split_guidance=True, holes=False)
    csv = write_csv(str(tmp_path), [sc['row']])
    ds = _dataset(csv, 'val', bands=('ndvi', 'albedo'), val_fraction=0.3,
                  degradation=dict(type='SensorDegradation', psf_fwhm=1.5, noise_sd=0.4))
    r = ds.prepare_data(0)
    assert r['guidance'].shape == (2, 4, 4)
    r2 = ds.prepare_data(0)
    np.testing.assert_array_equal(r['lr_lst'], r2['lr_lst'])  # deterministic validation LR'
    r0, c0 = map(int, r['sample_id'].split(':')[-1].split(','))
    box = sc['coarse'][r0:r0 + 4, c0:c0 + 4].reshape(1, 4, 1, 4).mean(axis=(1, 3))
    diff = r['lr_lst'][0][r['lr_mask'][0]] - box[r['lr_mask'][0]]
    assert 0.0 < np.abs(diff).max() < 3.0  # blur + 0.4 K noise, not the box mean


def test_single_image_models_read_no_guidance(tmp_path):
    sc = make_scene(str(tmp_path), 'sc', 4, (12, 12), (0, 0), bands=('ndvi',))
    csv = write_csv(str(tmp_path), [sc['row']])
    ds = CoarseSceneDataset(csv, 4, None, use_guidance=False, crop_size=8, val_block_size=4,
                            pipeline=[])
    r = ds.prepare_data(0)
    assert 'guidance' not in r and r['lr_lst'].shape == (1, 2, 2)


def test_no_fine_lst_is_ever_opened(tmp_path, monkeypatch):
    info = make_two_scenes(str(tmp_path))
    opened = spy_rasterio_open(monkeypatch)
    np.random.seed(1)
    for split in ('train', 'val'):
        ds = _dataset(info['csv'], split, native_fraction=0.5, samples_per_epoch=12)
        for i in range(len(ds)):
            ds[i]
        ds.fit_normalization_stats()
    refs = {osp.abspath(s['reference']) for s in info['scenes'].values()}
    assert opened and not refs & set(opened)
    assert any('/lr/' in p for p in opened) and any('/guidance/' in p for p in opened)


def test_bad_inputs_are_one_clear_error(tmp_path):
    from groklst.apis import SceneCheckError
    info = make_two_scenes(str(tmp_path))
    with pytest.raises(SceneCheckError, match='guidance band'):
        _dataset(info['csv'], bands=('ndvi', 'albedo'))
    bad = write_csv(str(tmp_path), [('a', 'lr/utm33.tif', 'guidance/utm33.tif'),
                                    ('a', 'lr/laea.tif', 'guidance/laea.tif')], 'dup.csv')
    with pytest.raises(SceneCheckError, match='duplicate id'):
        _dataset(bad)
    mixed = write_csv(str(tmp_path), [('x', 'lr/utm33.tif', 'guidance/laea.tif')], 'crs.csv')
    with pytest.raises(SceneCheckError, match='scene x: CRS mismatch'):
        _dataset(mixed)
    with pytest.raises(ValueError, match='multiple of the scale'):
        _dataset(info['csv'], crop_size=6)


def test_dataset_pickles_without_open_files_and_bounds_open_files(tmp_path):
    """Dataloader workers and DDP ranks get a copy: no open file travels, reading reopens."""
    import pickle
    info = make_two_scenes(str(tmp_path))
    ds = _dataset(info['csv'], native_fraction=0.5, samples_per_epoch=8, cache_scenes=1)
    ds.prepare_data(0)
    ds.prepare_data(1)
    assert 0 < len(ds._reader._open) <= 2  # one scene's files: LST + one guidance file
    copy = pickle.loads(pickle.dumps(ds))
    assert len(copy._reader._open) == 0
    r = copy.prepare_data(2)
    assert r['lr_lst'].shape == (1, 2, 2) and len(copy) == 8


# ----------------------------------------------------------------------------- 'native_wald'
@pytest.mark.parametrize('offset', [(0, 0), (3, 1)])
def test_native_wald_samples_are_coarse_crops_with_the_fine_guidance_under_them(tmp_path,
                                                                                  offset):
    sc = make_scene(str(tmp_path), 'sc', 4, (16, 16), offset, holes=True, bands=('ndvi',))
    csv = write_csv(str(tmp_path), [sc['row']])
    np.random.seed(1)
    ds = _dataset(csv, native_fraction=1.0, native_kind='native_wald', samples_per_epoch=6,
                  val_fraction=0.3)
    heldout = ds.scenes[0]['heldout']
    assert heldout
    for i in range(len(ds)):
        r = ds.prepare_data(i)
        assert r['sample_kind'] == 'native_wald'
        r0, c0 = map(int, r['sample_id'].split(':')[-1].split(','))
        assert r['lr_lst'].shape == (1, 8, 8) and r['guidance'].shape == (1, 32, 32)
        rr, cc = np.mgrid[r0 * 4:(r0 + 8) * 4, c0 * 4:(c0 + 8) * 4]
        ndvi, _, _ = fields(rr - offset[0], cc - offset[1])
        ok = r['gt_mask'][0]
        assert ok.any()
        np.testing.assert_allclose(r['guidance'][0][np.repeat(np.repeat(ok, 4, 0), 4, 1)],
                                   ndvi[np.repeat(np.repeat(ok, 4, 0), 4, 1)], atol=1e-5)
        truth = sc['coarse'][r0:r0 + 8, c0:c0 + 8]
        np.testing.assert_allclose(r['gt_lst'][0][ok], truth[ok], atol=1e-4)
        np.testing.assert_allclose(r['lr_lst'][0][ok], truth[ok], atol=1e-4)
        assert not (r['lr_mask'][0] & ~np.isfinite(truth)).any()  # the cloud is no data
        for br, bc in heldout:  # held-out pixels are no data in training
            for y in range(br, br + 4):
                for x in range(bc, bc + 4):
                    if r0 <= y < r0 + 8 and c0 <= x < c0 + 8:
                        assert not r['lr_mask'][0, y - r0, x - c0]
    val = _dataset(csv, 'val', native_kind='native_wald', val_fraction=0.3)
    assert len(val) == len(heldout)
    for i in range(len(val)):
        r = val.prepare_data(i)
        assert r['sample_kind'] == 'native_wald'
        br, bc = map(int, r['sample_id'].split(':')[-1].split(','))
        # crop_size 8 around a block of 4: margins of 2 rounded down to a multiple of s: 0
        assert r['lr_lst'].shape == (1, 4, 4) and r['guidance'].shape == (1, 16, 16)
        size, margin = 4, 0
        inside = np.zeros((size, size), bool)
        inside[margin:margin + 4, margin:margin + 4] = True
        assert not (r['gt_mask'][0] & ~inside).any()
        truth = sc['coarse'][br:br + 4, bc:bc + 4]
        np.testing.assert_allclose(r['gt_lst'][0][margin:margin + 4, margin:margin + 4]
                                   [np.isfinite(truth)], truth[np.isfinite(truth)], atol=1e-4)


def test_native_wald_val_windows_give_context_around_the_block(tmp_path):
    sc = make_scene(str(tmp_path), 'sc', 4, (24, 24), (0, 0), holes=False, bands=('ndvi',))
    csv = write_csv(str(tmp_path), [sc['row']])
    val = _dataset(csv, 'val', native_kind='native_wald', crop_size=16, val_block_size=4,
                   val_fraction=0.1)
    r = val.prepare_data(0)
    br, bc = map(int, r['sample_id'].split(':')[-1].split(','))
    assert r['lr_lst'].shape == (1, 12, 12) and r['guidance'].shape == (1, 48, 48)
    assert int(r['gt_mask'].sum()) == 16 and r['gt_mask'][0, 4:8, 4:8].all()
    lo_r, lo_c = max(br - 4, 0), max(bc - 4, 0)
    window = np.full((12, 12), np.nan, np.float32)
    src = sc['coarse'][lo_r:br + 8, lo_c:bc + 8]
    window[lo_r - (br - 4):lo_r - (br - 4) + src.shape[0],
           lo_c - (bc - 4):lo_c - (bc - 4) + src.shape[1]] = src
    ok = np.isfinite(window)
    np.testing.assert_allclose(r['lr_lst'][0][ok], window[ok], atol=1e-4)
    assert (r['lr_mask'][0] == ok).all()  # outside the scene: no data, filled


def test_native_crop_shrinks_to_the_largest_scene(tmp_path):
    sc = make_scene(str(tmp_path), 'small', 4, (10, 11), (0, 0), holes=False, bands=('ndvi',))
    csv = write_csv(str(tmp_path), [sc['row']])
    ds = _dataset(csv, native_fraction=1.0, native_kind='native_wald', crop_size=32,
                  samples_per_epoch=2)
    assert ds.native_crop == 8
    assert ds.prepare_data(0)['lr_lst'].shape == (1, 8, 8)


def test_valid_pixel_scene_weights(tmp_path):
    clear = make_scene(str(tmp_path), 'clear', 4, (12, 12), (0, 0), holes=False,
                       bands=('ndvi',))
    cloudy = make_scene(str(tmp_path), 'cloudy', 4, (12, 12), (0, 0), holes=False,
                        bands=('ndvi',), seed=1)
    with rasterio.open(osp.join(str(tmp_path), cloudy['row'][1]), 'r+') as dst:
        a = dst.read(1)
        a[:9, :] = np.nan
        dst.write(a, 1)
    csv = write_csv(str(tmp_path), [clear['row'], cloudy['row']])
    ds = _dataset(csv, samples_per_epoch=100, scene_weights='valid_pixels')
    picks = [ds.get_data_info(i)['scene'] for i in range(len(ds))]
    # regions of 11 x 11 coarse px (the guidance lacks one fine row / column): 121 valid
    # pixels against 2 x 11 = 22; 100 x 121 / 143 = 84.6 -> 85 items, 15.4 -> 15
    assert picks.count(0) == 85 and picks.count(1) == 15
    uniform = _dataset(csv, samples_per_epoch=100)
    assert [uniform.get_data_info(i)['scene'] for i in range(4)] == [0, 1, 0, 1]
    with pytest.raises(ValueError, match='native_kind must be one of'):
        _dataset(csv, native_kind='wald')
    with pytest.raises(ValueError, match='scene_weights must be one of'):
        _dataset(csv, scene_weights='area')
