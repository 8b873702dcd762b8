"""Retrieval foundation: dataset (features, splits, train-only statistics, filters), metric
(hand computations), MLP retriever (modes, normalization, gradients) and the Runner tools."""
import glob
import math
import os.path as osp

import numpy as np
import pytest
import torch

from groklst.datasets.retrieval_dataset import (RetrievalDataset, load_or_simulate,
                                                parse_feature, simulation_cache_path)
from groklst.evaluation.functional_retrieval import binned_errors, regression_metrics
from groklst.evaluation.metrics.retrieval_metric import RetrievalMetric
from groklst.models.retrievers.base_retriever import RetrievalDataPreprocessor
from groklst.models.retrievers.mlp_retriever import MLPRetriever
from tests.fixtures.paths import ROOT

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


def test_regression_metrics_by_hand():
    rng = np.random.default_rng(0)
    ref = rng.uniform(270, 320, 500)
    pred = ref + rng.normal(0.3, 1.5, 500)
    m = regression_metrics(pred, ref)
    d = pred - ref
    assert m['RMSE'] == pytest.approx(np.sqrt(np.mean(d ** 2)), rel=1e-12)
    assert m['MAE'] == pytest.approx(np.mean(np.abs(d)), rel=1e-12)
    assert m['BIAS'] == pytest.approx(np.mean(d), rel=1e-12)
    assert m['PCC'] == pytest.approx(np.corrcoef(pred, ref)[0, 1], rel=1e-12)
    r2 = 1 - np.sum(d ** 2) / np.sum((ref - ref.mean()) ** 2)
    assert m['R2'] == pytest.approx(r2, rel=1e-12) and m['n'] == 500
    wvc = rng.uniform(0, 4.5, 500)
    bins = binned_errors(pred, ref, wvc, (0, 1, 2, 3, 4, 5, math.inf))
    assert list(bins) == ['0-1', '1-2', '2-3', '3-4', '4-5', '5-inf']
    sel = (wvc >= 1) & (wvc < 2)
    assert bins['1-2']['n'] == sel.sum()
    assert bins['1-2']['RMSE'] == pytest.approx(np.sqrt(np.mean(d[sel] ** 2)), rel=1e-12)
    assert bins['1-2']['MAE'] == pytest.approx(np.mean(np.abs(d[sel])), rel=1e-12)
    assert bins['5-inf']['n'] == 0 and math.isnan(bins['5-inf']['RMSE'])
    assert sum(b['n'] for b in bins.values()) == 500


def test_retrieval_metric_keys_and_values():
    from mmengine.structures import BaseDataElement
    rng = np.random.default_rng(1)
    gt = rng.uniform(280, 310, (40, 2))
    pred = gt + rng.normal(0, 1, (40, 2))
    wvc = np.r_[np.full(20, 0.5), np.full(20, 6.0)]
    metric = RetrievalMetric()
    samples = []
    for k in range(40):
        s = BaseDataElement(metainfo=dict(target_names=['lst', 'tau:0']))
        s.pred_target, s.gt_target = torch.tensor(pred[k]), torch.tensor(gt[k])
        s.wvc = float(wvc[k])
        samples.append(s)
    metric.process(None, samples[:25])
    metric.process(None, samples[25:])
    out = metric.compute_metrics(metric.results)
    d = pred - gt
    assert out['RMSE'] == out['lst/RMSE'] == pytest.approx(np.sqrt((d[:, 0] ** 2).mean()))
    assert out['tau:0/MAE'] == pytest.approx(np.abs(d[:, 1]).mean())
    assert out['lst/n_wvc5-inf'] == 20 and out['lst/n_wvc1-2'] == 0
    assert out['lst/MAE_wvc5-inf'] == pytest.approx(np.abs(d[20:, 0]).mean())
    assert 'tau:0/RMSE_wvc0-1' not in out  # only the primary target is binned by default
    bad = BaseDataElement(metainfo=dict(target_names=['lst']))
    bad.pred_target, bad.gt_target, bad.wvc = torch.zeros(2), torch.zeros(3), 1.0
    with pytest.raises(ValueError, match='differ'):
        metric.process(None, [bad])


def test_mlp_retriever_modes_and_normalization(cache):
    ds = _ds(cache, split='train', targets=['lst', 'lse:0'])
    model = MLPRetriever(INPUTS, ['lst', 'lse:0'], hidden_sizes=(16, 8), act_cfg='GELU',
                         dropout=0.1, norm=dict(dataset=dict(
                             type='RetrievalDataset', simulation=SIM, inputs=INPUTS,
                             targets=['lst', 'lse:0'], cache_dir=cache)))
    assert model.target_mean[0].item() == pytest.approx(ds.norm_stats['targets']['lst']['mean'])
    batch = model.data_preprocessor(dict(inputs=[ds[i]['inputs'] for i in range(8)],
                                         data_samples=[ds[i]['data_samples'] for i in range(8)]))
    assert batch['inputs'].shape == (8, 4)
    # a zero output layer predicts exactly the train means (de-normalization in K)
    with torch.no_grad():
        model.net.head.weight.zero_()
        model.net.head.bias.zero_()
    model.eval()
    out = model(batch['inputs'], mode='tensor')
    torch.testing.assert_close(out, model.target_mean.expand(8, 2))
    model.train()
    torch.nn.init.normal_(model.net.head.weight, std=0.1)
    loss = model(**batch, mode='loss')['loss']
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    model.eval()
    samples = model(**batch, mode='predict')
    assert samples[0].pred_target.shape == (2,)
    with pytest.raises(ValueError, match=r'expects inputs \(B, 4\)'):
        model(torch.zeros(3, 5), mode='tensor')
    with pytest.raises(ValueError, match='Unknown mode'):
        model(batch['inputs'], mode='x')
    with pytest.raises(ValueError, match='lack inputs'):
        MLPRetriever(['ndvi'], norm=ds.norm_stats)
    with pytest.raises(ValueError, match='one F per batch'):
        RetrievalDataPreprocessor()(dict(inputs=[torch.zeros(3), torch.zeros(4)]))


def test_train_and_test_apis_on_retrieval_config(tmp_path, monkeypatch):
    from groklst.apis import runner
    monkeypatch.chdir(tmp_path)  # the simulation cache goes to tmp_path/data/simulated
    cfg = osp.join(ROOT, 'configs/retrieval/mlp_l8-b10-singlechannel_sim.py')
    work = str(tmp_path / 'work')
    runner.train(cfg, work_dir=work, cfg_options={
        'train_cfg.max_iters': 40, 'train_cfg.val_interval': 40,
        'default_hooks.checkpoint.interval': 40, 'default_hooks.logger.interval': 20})
    ckpt = glob.glob(osp.join(work, 'best_RMSE_iter_40.pth'))
    assert len(ckpt) == 1
    assert glob.glob(str(tmp_path / 'data/simulated/landsat8_tirs_20000_*.npz'))
    metrics = runner.test(cfg, ckpt[0], work_dir=work, out=str(tmp_path / 'm.json'))
    assert 0 < metrics['RMSE'] < 15  # K, after 40 iterations
    assert metrics['lst/n'] == 2000
    assert sum(metrics[f'lst/n_wvc{b}'] for b in
               ('0-1', '1-2', '2-3', '3-4', '4-5', '5-inf')) == 2000
    assert metrics['lst/n_wvc5-inf'] > 100  # extreme humidity is represented


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
