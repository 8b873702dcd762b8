"""SFTL (Heidarian et al. 2025; groklst.models.retrievers.sftl): feature names, fine-tuning
presets, domains, split window, and its configs through groklst.apis."""
import math

import numpy as np
import pytest
import torch

from groklst.models.finetune.strategies import (apply_finetune, count_parameters,
                                                get_gradual_unfreezer)
from groklst.models.retrievers.sftl import (build_sftl_retriever, finetune_preset,
                                            fit_split_window, norm_stats_from_arrays,
                                            predict_lst, select_domain, sftl_features,
                                            split_window_lst, train_retriever)
from groklst.physics.algorithms.split_window import JM2014_COEFFICIENTS

FEATURES = sftl_features()


def test_feature_names_per_sensor():
    assert FEATURES == ['bt:B11', 'bt:B12', 'wvc', 'dbt:B11-B12', 'wvc*dbt:B11-B12']
    assert sftl_features('landsat8_tirs', with_product=False) == [
        'bt:B10', 'bt:B11', 'wvc', 'dbt:B10-B11']
    with pytest.raises(KeyError, match='no split-window pair'):
        sftl_features('modis_terra_tir')


def _stats():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 5)) * [10, 10, 1, 1, 1] + [290, 289, 2, 1, 2]
    return norm_stats_from_arrays(x, rng.normal(295, 10, (50, 1)), FEATURES)


def test_dnn_presets_hand_counts():
    # hidden (4, 4): body.0 5*4+4 = 24, body.2 4*4+4 = 20, head 4+1 = 5 -> 49
    def dnn():
        torch.manual_seed(0)
        return build_sftl_retriever('dnn', FEATURES, _stats(), hidden_sizes=(4, 4))
    assert count_parameters(apply_finetune(dnn(), finetune_preset(dnn(), 'full', 30))) == 49
    assert count_parameters(apply_finetune(dnn(), finetune_preset(dnn(), 'head_only', 30))) == 5
    m = dnn()
    cfg = finetune_preset(m, 'gradual', 30)
    assert cfg['groups'] == [['net.head'], ['net.body.2'], ['net.body.0']]
    assert cfg['interval'] == 10
    u = get_gradual_unfreezer(apply_finetune(m, cfg))
    assert [(u.step(i), count_parameters(m))[1] for i in (0, 9, 10, 20)] == [5, 5, 25, 49]
    # LoRA r=8: Linear(5,4) A 8*5 + B 4*8 = 72, Linear(4,4) 32 + 32 = 64, head 5
    m = dnn()
    assert count_parameters(apply_finetune(m, finetune_preset(m, 'lora', 30))) == 141
    # adapters C=4, bottleneck 4 // 4 = 1: 2*4*1 + 1 + 4 = 13 each, head 5
    m = dnn()
    assert count_parameters(apply_finetune(m, finetune_preset(m, 'adapter', 30))) == 31
    with pytest.raises(ValueError, match='unknown strategy'):
        finetune_preset(dnn(), 'prompt', 30)


@pytest.mark.parametrize('arch,kwargs', [
    ('transformer', dict(dim=8, depth=2, num_heads=2)),
    ('cnn', dict(channels=(4, 4), hidden=8))])
@pytest.mark.parametrize('strategy', ['adapter', 'lora', 'gradual', 'head_only'])
def test_presets_keep_output_and_cover_the_network(arch, kwargs, strategy):
    torch.manual_seed(0)
    m = build_sftl_retriever(arch, FEATURES, _stats(), **kwargs)
    total = count_parameters(m)
    x = torch.tensor([[290.0, 289.0, 2.0, 1.0, 2.0], [280.0, 281.0, 0.5, -1.0, -0.5]])
    ref = m(x, mode='tensor').detach()
    apply_finetune(m, finetune_preset(m, strategy, 40))
    torch.testing.assert_close(m(x, mode='tensor'), ref, atol=1e-5, rtol=0)
    head = sum(p.numel() for p in m.net.head.parameters())
    if strategy == 'head_only':
        assert count_parameters(m) == head
    elif strategy == 'gradual':
        u = get_gradual_unfreezer(m)
        assert count_parameters(m) < total
        u.step(39)
        # every parameter of the network is in some group (the [CLS] token included)
        assert count_parameters(m) == total
    else:
        n_new = count_parameters(m) - head
        assert n_new > 0
        assert all(('adapter' in n or 'lora_' in n or n.startswith('net.head'))
                   for n, p in m.named_parameters() if p.requires_grad)


def test_fit_split_window_recovers_jm2014_coefficients():
    rng = np.random.default_rng(1)
    n = 400
    bt_a = rng.uniform(270, 320, n)
    bt_b = bt_a - rng.uniform(-0.5, 4, n)
    e_a, e_b = rng.uniform(0.9, 0.99, n), rng.uniform(0.9, 0.99, n)
    wvc = rng.uniform(0, 5, n)
    lst = split_window_lst(bt_a, bt_b, e_a, e_b, wvc)  # published coefficients
    coef = fit_split_window(bt_a, bt_b, e_a, e_b, wvc, lst)
    for k, v in JM2014_COEFFICIENTS.items():
        assert coef[k] == pytest.approx(v, abs=1e-6), k
    np.testing.assert_allclose(split_window_lst(bt_a, bt_b, e_a, e_b, wvc, coef), lst,
                               atol=1e-8)


def test_train_retriever_learns_and_steps_the_gradual_schedule():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 5)) * [10, 10, 1, 1, 1] + [290, 289, 2, 1, 2]
    y = (x[:, :1] + 2.5 * x[:, 3:4] + 1.0)  # LST = BT_a + 2.5 dBT + 1 (K)
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    m = build_sftl_retriever('dnn', FEATURES, norm_stats_from_arrays(x, y, FEATURES),
                             hidden_sizes=(16, 16))
    before = math.sqrt(float(np.mean((predict_lst(m, xt) - y[:, 0]) ** 2)))
    apply_finetune(m, finetune_preset(m, 'gradual', 200))
    m, best = train_retriever(m, (xt, yt), (xt, yt), steps=200, batch=64, lr=1e-2, seed=0,
                              eval_every=50)
    after = math.sqrt(float(np.mean((predict_lst(m, xt) - y[:, 0]) ** 2)))
    assert after < 0.5 * before and best == pytest.approx(after, rel=1e-5)
    assert get_gradual_unfreezer(m).last_iteration == 199
    assert count_parameters(m) == sum(p.numel() for p in m.parameters())
    with pytest.raises(ValueError, match='steps >= 1'):
        train_retriever(m, (xt, yt), (xt, yt), steps=0, batch=8, lr=1e-3, seed=0)


@pytest.fixture(scope='module')
def small_sim(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp('sim'))
    cfg = dict(sensor='gf5_vimi_tir', n_samples=3000, seed=0,
               surface_classes=('manmade', 'npv', 'rock', 'soil', 'vegetation', 'water'))
    return cfg, cache


def test_select_domain_bias_and_profile_exclusion(small_sim):
    from groklst.datasets.retrieval_dataset import load_or_simulate
    from groklst.physics.atmosphere import load_lut
    from groklst.simulation import profile_domain_mask
    cfg, cache = small_sim
    kw = dict(simulation=cfg, features=FEATURES, split='train', cache_dir=cache,
              profile_domain='dry_midlatitudes', surface_classes=['soil', 'rock', 'manmade'])
    plain = select_domain(**kw)
    biased = select_domain(bt_bias={'B11': 0.8, 'B12': 0.3}, **kw)
    np.testing.assert_array_equal(plain['rows'], biased['rows'])
    d = (biased['x'] - plain['x']).double().numpy()
    np.testing.assert_allclose(d[:, 0], 0.8, atol=1e-4)
    np.testing.assert_allclose(d[:, 1], 0.3, atol=1e-4)
    np.testing.assert_allclose(d[:, 2], 0.0, atol=0)
    np.testing.assert_allclose(d[:, 3], 0.5, atol=1e-4)
    np.testing.assert_allclose(d[:, 4], 0.5 * plain['wvc'], atol=1e-3)
    torch.testing.assert_close(biased['y'], plain['y'])
    sim = load_or_simulate(cfg, cache)
    assert set(sim['surface_class'][plain['rows']]) <= {'soil', 'rock', 'manmade'}
    src = select_domain(simulation=cfg, features=FEATURES, split='train', cache_dir=cache,
                        exclude_profile_domains=['dry_midlatitudes'], max_samples=500)
    dry = profile_domain_mask(load_lut(None), 'dry_midlatitudes')
    assert len(src['rows']) == 500 and not dry[sim['profile_index'][src['rows']]].any()
    assert not np.intersect1d(src['rows'], plain['rows']).size
    with pytest.raises(ValueError, match='not among the simulation bands'):
        select_domain(bt_bias={'B13': 1.0}, **kw)


def test_sftl_configs_source_lora_target_and_cross_domain_with_the_apis(tmp_path,
                                                                       retrieval_runs):
    """Stage 1 (source), stage 2 (LoRA on the biased target) and stage 3 (cross-domain test) of
    the SFTL configs through groklst.apis.train / test, with the experiment's domains."""
    import glob
    import os.path as osp

    train, test, configs = retrieval_runs
    cfg_dir = osp.join(configs, 'sftl')
    src_work = tmp_path / 'source'
    train(osp.join(cfg_dir, 'sftl-dnn_vimi-b11b12_sim-source.py'), src_work, 40)
    src_ckpt = osp.join(src_work, 'iter_40.pth')
    assert osp.isfile(src_ckpt)
    tgt_work = tmp_path / 'target'
    tgt_cfg = osp.join(cfg_dir, 'sftl-dnn-lora_vimi-b11b12_sim-target.py')
    train(tgt_cfg, tgt_work, 20, {'load_from': src_ckpt})
    tgt_ckpt = glob.glob(osp.join(tgt_work, 'iter_20.pth'))
    assert len(tgt_ckpt) == 1
    target = test(tgt_cfg, tgt_ckpt[0], tgt_work)
    cross = test(osp.join(cfg_dir, 'sftl-dnn-lora_vimi-b11b12_sim-cross.py'), tgt_ckpt[0],
                 tmp_path / 'cross')
    # different test sets: dry target vs humid cross domain, both finite errors in K
    assert target['lst/n'] != cross['lst/n']
    assert 0 < target['RMSE'] < 50 and 0 < cross['RMSE'] < 50
