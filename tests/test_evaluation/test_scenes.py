"""score_scenes: pooled metrics by hand, coarse-validity masking by georeference, id matching,
missing outputs and grid mismatches."""
import math
import os
import os.path as osp

import numpy as np
import pytest

from groklst.evaluation.scenes import score_scenes
from groklst.fileio.raster import read_raster, write_raster

from ..fixtures.make_coarse_scenes import make_scene, write_csv


@pytest.fixture
def scene(tmp_path):
    sc = make_scene(str(tmp_path), 'a', 4, (6, 6), (1, 2), bands=('ndvi',))
    csv = write_csv(str(tmp_path), [sc['row']])
    ref, prof = read_raster(sc['reference'])
    out = tmp_path / 'out'
    os.makedirs(out)
    return dict(sc=sc, csv=csv, ref=ref, prof=prof, out=out, root=tmp_path)


def _write(path, arr, prof):
    write_raster(str(path), arr.astype(np.float32), prof['crs'], prof['transform'],
                 nodata=float('nan'))


def test_pooled_metrics_by_hand(scene):
    ref, prof = scene['ref'], scene['prof']
    pred = ref.copy()
    pred[0, :2, :] += 1.0  # two rows 1 K too warm
    pred[0, 5, 5] = np.nan  # one missing pixel
    _write(scene['out'] / 'a.tif', pred, prof)
    res = score_scenes(str(scene['out']), [osp.dirname(scene['sc']['reference'])])
    n = ref[0].size
    warm = 2 * ref.shape[2]
    assert res['n_pixels'] == n - 1 and res['coverage'] == pytest.approx((n - 1) / n)
    assert res['RMSE'] == pytest.approx(math.sqrt(warm / (n - 1)), rel=1e-6)
    assert res['BIAS'] == pytest.approx(warm / (n - 1), rel=1e-6)
    assert res['MAE'] == pytest.approx(warm / (n - 1), rel=1e-6)
    assert res['ids'] == ['a'] and res['missing'] == []


def test_scenes_csv_restricts_to_valid_coarse_pixels(scene):
    ref, prof = scene['ref'], scene['prof']
    pred = ref + 2.0
    _write(scene['out'] / 'a.tif', pred, prof)
    res = score_scenes(str(scene['out']), [scene['sc']['reference']], scenes_csv=scene['csv'])
    # the coarse hole (rows 1-2, cols 2-4 of the LR lattice) covers 2*4 x 3*4 fine pixels of
    # the lattice, i.e. guidance rows 4*1-1 .. 4*3-2 and columns 4*2-2 .. 4*5-3
    hole = np.zeros(ref.shape[1:], bool)
    hole[3:11, 6:18] = True
    assert res['n_pixels'] == ref[0].size - hole.sum()
    assert res['BIAS'] == pytest.approx(2.0, abs=1e-4)


def test_missing_output_and_grid_mismatch_are_errors(scene):
    ref, prof = scene['ref'], scene['prof']
    with pytest.raises(FileNotFoundError, match='no output'):
        score_scenes(str(scene['out']), [scene['sc']['reference']])
    shifted = dict(prof, transform=prof['transform'] * prof['transform'].translation(1, 0))
    _write(scene['out'] / 'a.tif', ref, shifted)
    with pytest.raises(ValueError, match='not on the reference grid'):
        score_scenes(str(scene['out']), [scene['sc']['reference']])
