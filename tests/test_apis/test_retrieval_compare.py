"""Learned vs classical retrievals on one scene (groklst.apis.retrieval.compare): histogram
quantiles, NDVI classes, and the statistics of a synthetic Collection 2 scene against the
per-pixel differences computed directly."""
import numpy as np
import pytest

from groklst.apis.retrieval import Landsat8L1Inputs, retrieve_lst
from groklst.apis.retrieval.compare import (DiffHistogram, comparison_panel, comparison_table,
                                            compare_on_scene, ndvi_class)
from groklst.apis.retrieval.weights import load_manifest
from tests.fixtures.landsat_c2 import QA_CLOUD, write_c2_scene


def test_histogram_quantiles_match_numpy_to_the_bin_width():
    d = np.random.default_rng(0).normal(0.7, 2.0, 50_000)
    h = DiffHistogram()
    h.add(d[:20_000], ood=d[:20_000] > 3)
    h.add(np.append(d[20_000:], np.nan))  # NaN is not counted
    s = h.stats()
    q25, q50, q75 = np.percentile(d, [25, 50, 75])
    assert s['n'] == 50_000
    assert s['median'] == pytest.approx(q50, abs=0.011)
    assert s['iqr'] == pytest.approx(q75 - q25, abs=0.021)
    assert s['p95_abs'] == pytest.approx(np.percentile(np.abs(d), 95), abs=0.011)
    assert s['ood_fraction'] == pytest.approx(np.mean(d[:20_000] > 3) * 0.4)
    assert DiffHistogram().stats()['n'] == 0


def test_ndvi_classes_follow_the_emissivity_thresholds():
    nd = np.array([-0.3, 0.0, 0.1, 0.2, 0.5, 0.51, 1.0, np.nan])
    assert ndvi_class(nd).tolist() == [0, 1, 1, 2, 2, 3, 3, -1]


@pytest.mark.skipif(not {'mlp', 'sftl'} <= set(load_manifest()), reason='no shipped weights')
def test_scene_statistics_equal_the_direct_differences(tmp_path):
    h, w = 12, 14
    bt10 = 288.0 + 15.0 * np.random.default_rng(1).random((h, w))
    bt11 = bt10 - 0.5 - 2.0 * np.random.default_rng(2).random((h, w))
    nir = np.where(np.arange(w) < 7, 0.2, 0.35) * np.ones((h, 1))  # NDVI 0.333 | 0.556
    qa = np.full((h, w), 21824)
    qa[3, 3] = QA_CLOUD
    scene = write_c2_scene(str(tmp_path / 'c2'), bt10, bt11, red=np.full((h, w), 0.1), nir=nir,
                           qa=qa)
    with Landsat8L1Inputs(scene['folder'], wvc=3.0, cloud_buffer=1, log=lambda s: None) as inp:
        res = compare_on_scene(inp, ['mlp', 'sftl'], window=5, preview=7, log=lambda s: None)
    sw, _, _ = retrieve_lst(scene['folder'], 3.0, cloud_buffer=1)
    sc, _, _ = retrieve_lst(scene['folder'], 3.0, 'single_channel', cloud_buffer=1)
    ok = np.isfinite(sw)
    assert res['compared'] == ok.sum() == h * w - 9
    row = next(r for r in res['rows'] if (r['method'], r['reference'], r['ndvi_class']) ==
               ('single_channel', 'split_window', 'all'))
    d = (sc - sw)[ok]
    assert row['n'] == d.size
    # nearest-rank quantiles (the ceil(q n)-th smallest value) to the 0.01 K bin
    rank = np.sort(np.abs(d))[int(np.ceil(0.95 * d.size)) - 1]
    assert row['median'] == pytest.approx(np.sort(d)[int(np.ceil(0.5 * d.size)) - 1],
                                          abs=0.006)
    assert row['p95_abs'] == pytest.approx(rank, abs=0.006)
    classes = {r['ndvi_class']: r['n'] for r in res['rows']
               if r['method'] == 'mlp' and r['reference'] == 'split_window'}
    # NDVI 1/3 is "mixed" (0.2 <= NDVI <= 0.5), 0.556 vegetation
    assert classes == {'all': d.size, 'water': 0, 'bare soil': 0,
                       'mixed': int(ok[:, :7].sum()), 'vegetation': int(ok[:, 7:].sum())}
    assert len(res['rows']) == (2 * 2 + 1) * 5
    assert res['maps']['mlp'].shape == (6, 7)  # every 2nd pixel
    text = comparison_table(res)
    assert '| single_channel | split_window | %d |' % d.size in text
    assert 'mixed (n %d)' % ok[:, :7].sum() in text
    path = comparison_panel(res, str(tmp_path / 'panel.png'))
    assert open(path, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
