"""RetrievalDataset (groklst.datasets.retrieval_dataset): cached simulations, features, splits,
train-only statistics, filters, BT bias and profile exclusion."""
import glob
import math
import os.path as osp

import numpy as np
import pytest
import torch

from groklst.datasets.retrieval_dataset import (RetrievalDataset, load_or_simulate,
                                                parse_feature, simulation_cache_path)

SIM = dict(sensor='landsat8_tirs', n_samples=3000, seed=3)
INPUTS = ['bt:0', 'wvc', 'lse:0', 'view_angle']


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp('sim'))


def _ds(cache, **kw):
    args = dict(simulation=SIM, inputs=INPUTS, targets=['lst'], cache_dir=cache)
    args.update(kw)
    return RetrievalDataset(**args)


def test_simulation_is_cached_once(cache):
    _ds(cache)
    files = glob.glob(osp.join(cache, 'landsat8_tirs_3000_*.npz'))
    assert len(files) == 1 and osp.isfile(files[0][:-4] + '.manifest.json')
    sim = load_or_simulate(files[0])
    assert sim['lst'].shape == (3000,) and sim['bt'].shape == (3000, 2)


def test_simulation_cache_key_follows_the_tables(tmp_path):
    # the cached samples depend on the LOWTRAN and emissivity tables: a
    # regenerated table must not reuse an old cache file
    import shutil
    from groklst.physics.atmosphere import default_lut_path
    from groklst.simulation import table_digests
    lut = str(tmp_path / 'lut.npz')
    shutil.copy(default_lut_path(), lut)
    cfg = dict(SIM, lut_path=lut)
    first = simulation_cache_path(cfg, str(tmp_path))
    assert simulation_cache_path(dict(cfg), str(tmp_path)) == first
    with open(lut, 'ab') as f:  # same config, different table content
        f.write(b'regenerated')
    assert simulation_cache_path(cfg, str(tmp_path)) != first
    from groklst.simulation import SimulationConfig
    digests = table_digests(SimulationConfig(**cfg))
    assert set(digests) == {'lut_sha1', 'emissivity_sha1'}
    assert all(len(v) == 40 for v in digests.values())

def test_split_determinism_and_disjointness(cache):
    parts = {s: _ds(cache, split=s) for s in ('train', 'val', 'test')}
    assert [len(parts[s]) for s in ('train', 'val', 'test')] == [2400, 300, 300]
    rows = [set(parts[s].rows.tolist()) for s in ('train', 'val', 'test')]
    assert not (rows[0] & rows[1]) and not (rows[0] & rows[2]) and not (rows[1] & rows[2])
    assert set().union(*rows) == set(range(3000))
    again = _ds(cache, split='val')
    np.testing.assert_array_equal(again.rows, parts['val'].rows)
    other = _ds(cache, split='val', split_seed=1)
    assert not np.array_equal(np.sort(other.rows), np.sort(parts['val'].rows))


def test_norm_stats_from_train_split_only(cache):
    train, test = _ds(cache, split='train'), _ds(cache, split='test')
    assert test.norm_stats == train.norm_stats
    x, y, _ = train.arrays()
    sim = load_or_simulate(glob.glob(osp.join(cache, 'landsat8_tirs_3000_*.npz'))[0])
    bt_train = sim['bt'][train.rows, 0]
    st = test.norm_stats['inputs']['bt:0']
    assert st['mean'] == pytest.approx(bt_train.mean(), rel=1e-12)
    assert st['std'] == pytest.approx(bt_train.std(ddof=1), rel=1e-12)
    assert test.norm_stats['targets']['lst']['mean'] == pytest.approx(
        sim['lst'][train.rows].mean(), rel=1e-12)
    # the test split's own mean differs from the stored (train) one
    assert abs(sim['bt'][test.rows, 0].mean() - st['mean']) > 1e-3
    np.testing.assert_allclose(x[:, 0], bt_train.astype(np.float32))


def test_feature_grammar(cache):
    sim = load_or_simulate(glob.glob(osp.join(cache, 'landsat8_tirs_3000_*.npz'))[0])
    dbt = sim['bt'][:, 0] - sim['bt'][:, 1]
    np.testing.assert_allclose(parse_feature(sim, 'dbt'), dbt)
    np.testing.assert_allclose(parse_feature(sim, 'wvc*dbt'), sim['wvc'] * dbt)
    np.testing.assert_allclose(parse_feature(sim, 'bt:B11'), sim['bt'][:, 1])
    np.testing.assert_allclose(parse_feature(sim, 'dlse:1-0'), sim['lse'][:, 1] - sim['lse'][:, 0])
    np.testing.assert_allclose(parse_feature(sim, 'lse_mean'), sim['lse'].mean(1))
    np.testing.assert_allclose(parse_feature(sim, 'sec_view'),
                               1 / np.cos(np.deg2rad(sim['view_angle'])))
    for bad in ('bt:7', 'bt:B12', 'ndvi', 'wvc:0'):
        with pytest.raises(ValueError):
            parse_feature(sim, bad)


def test_filters_and_errors(cache):
    humid = _ds(cache, split='test', profile_domain='humid_tropics')
    assert len(humid) > 0 and humid.wvc.min() >= 3.0
    base_test = set(_ds(cache, split='test').rows.tolist())
    assert set(humid.rows.tolist()) <= base_test  # filters act after the split
    soil = _ds(cache, split='train', surface_classes=['soil'])
    sim = load_or_simulate(glob.glob(osp.join(cache, 'landsat8_tirs_3000_*.npz'))[0])
    assert set(sim['surface_class'][soil.rows].tolist()) == {'soil'}
    wet = _ds(cache, split='val', wvc_range=(5, math.inf), max_samples=10)
    assert len(wet) == 10 and wet.wvc.min() >= 5
    with pytest.raises(ValueError, match='empty after the filters'):
        _ds(cache, split='val', wvc_range=(50, 60))
    with pytest.raises(ValueError, match='split_ratios'):
        _ds(cache, split_ratios=(0.5, 0.2, 0.2))
    with pytest.raises(ValueError, match='unknown surface classes'):
        _ds(cache, surface_classes=['lava'])


def test_item_contract(cache):
    ds = _ds(cache, split='val', targets=['lst', 'lse:0'])
    item = ds[0]
    assert item['inputs'].shape == (4,) and item['inputs'].dtype == torch.float32
    s = item['data_samples']
    assert s.gt_target.shape == (2,) and s.target_names == ['lst', 'lse:0']
    sim = load_or_simulate(glob.glob(osp.join(cache, 'landsat8_tirs_3000_*.npz'))[0])
    r = int(ds.rows[0])
    assert s.sample_idx == r and s.wvc == pytest.approx(sim['wvc'][r])
    assert float(s.gt_target[0]) == pytest.approx(sim['lst'][r], abs=1e-4)


def test_bt_bias_and_profile_exclusion_options(cache):
    from groklst.physics.atmosphere import load_lut
    from groklst.simulation import profile_domain_mask
    inputs = ['bt:B10', 'bt:B11', 'dbt:B10-B11', 'wvc']
    plain = _ds(cache, inputs=inputs)
    biased = _ds(cache, inputs=inputs, bt_bias={'B10': 0.5, 'B11': -0.25})
    plain.full_init()
    biased.full_init()
    np.testing.assert_array_equal(plain.rows, biased.rows)
    d = (biased.x - plain.x).double().numpy()
    np.testing.assert_allclose(d, np.tile([0.5, -0.25, 0.75, 0.0], (len(d), 1)), atol=1e-4)
    assert biased.norm_stats['inputs']['bt:B10']['mean'] == pytest.approx(
        plain.norm_stats['inputs']['bt:B10']['mean'] + 0.5, abs=1e-6)
    torch.testing.assert_close(biased.y, plain.y)
    dry = _ds(cache, exclude_profile_domains=['dry_midlatitudes'])
    dry.full_init()
    sim = load_or_simulate(SIM, cache)
    mask = profile_domain_mask(load_lut(), 'dry_midlatitudes')
    assert not mask[sim['profile_index'][dry.rows]].any()
    assert 0 < len(dry) < len(plain)
    with pytest.raises(ValueError, match=r"bt_bias bands \['B13'\] not among"):
        _ds(cache, bt_bias={'B13': 1.0}).full_init()
    with pytest.raises(ValueError, match='list of domain names'):
        _ds(cache, exclude_profile_domains='afgl')
