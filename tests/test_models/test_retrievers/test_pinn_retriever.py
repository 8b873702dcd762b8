"""RTE-coupled PINN retriever (Xie et al. 2025): torch band Planck, RTE residual, bounds, a tiny
training run, its config and the experiment tool."""
import os.path as osp

import numpy as np
import pytest
import torch

from groklst.datasets.retrieval_dataset import RetrievalDataset, load_or_simulate
from groklst.models.retrievers.pinn_retriever import PINNRetriever, band_planck, rte_residual
from tests.fixtures.paths import ROOT

SIM = dict(sensor='landsat8_tirs', n_samples=4000, seed=5)
INPUTS = ['bt:0', 'wvc', 'lse:0', 'view_angle']
TARGETS = ['lst', 'tau:0', 'l_up:0', 'l_down:0']


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp('sim'))


@pytest.fixture(scope='module')
def sim(cache):
    return load_or_simulate(SIM, cache)


def test_torch_band_planck_matches_numpy_and_inverts():
    band = band_planck('landsat8_tirs', 'B10')
    assert band is band_planck('landsat8_tirs', 0)
    temps = np.linspace(200.0, 340.0, 57)
    ref = band.radiance(temps)
    got = band.radiance_torch(torch.tensor(temps, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    back = band.brightness_temperature_torch(torch.tensor(ref)).numpy()
    np.testing.assert_allclose(back, temps, atol=1e-6)
    t = torch.tensor([300.0], dtype=torch.float64, requires_grad=True)
    band.radiance_torch(t).sum().backward()
    fd = (band.radiance(300.001) - band.radiance(299.999)) / 0.002
    assert t.grad.item() == pytest.approx(float(fd), rel=1e-6)
    with pytest.raises(ValueError, match='has bands'):
        band_planck('landsat8_tirs', 'B12')


def test_rte_residual_zero_on_consistent_samples_and_positive_when_perturbed(sim):
    band = band_planck('landsat8_tirs', 0)
    f64 = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    l_sen = band.radiance_torch(f64(sim['bt_clean'][:, 0]))
    np.testing.assert_allclose(l_sen.numpy(), sim['radiance'][:, 0], rtol=1e-9)
    args = (f64(sim['lse'][:, 0]), f64(sim['tau'][:, 0]), f64(sim['l_up'][:, 0]),
            f64(sim['l_down'][:, 0]))
    res = rte_residual(band, l_sen, f64(sim['lst']), *args)
    assert (res.abs() / l_sen).max().item() < 1e-6
    res_hot = rte_residual(band, l_sen, f64(sim['lst']) + 1.0, *args)
    # +1 K at the surface lowers the residual by tau*eps*dB/dT (> 0 everywhere)
    expect = args[1] * args[0] * (band.radiance_torch(f64(sim['lst']) + 1.0)
                                  - band.radiance_torch(f64(sim['lst'])))
    torch.testing.assert_close(-res_hot, expect, rtol=1e-5, atol=1e-9)
    assert (res_hot < 0).all() and (res_hot.abs() / l_sen).min().item() > 1e-5


def _model(stats, **kw):
    return PINNRetriever(INPUTS, TARGETS, hidden_sizes=(32, 32), norm=stats, **kw)


def test_rte_terms_and_bounds_of_the_model(cache, sim):
    ds = RetrievalDataset(simulation=SIM, inputs=['bt_clean:0', 'wvc', 'lse:0', 'view_angle'],
                          targets=TARGETS, cache_dir=cache, split='all')
    model = PINNRetriever(ds.input_names, TARGETS, bt_name='bt_clean:0', norm=ds.norm_stats)
    model.double()
    x, y, _ = (torch.as_tensor(a).double() for a in ds.arrays())
    # float32 storage of the dataset limits consistency to ~1e-5 K
    terms = model.rte_terms(x, y)
    assert terms['residual_k'].abs().max().item() < 1e-3
    assert terms['bounds'].abs().max().item() == 0.0
    # the model's RTE loss: ~0 on consistent samples, ~(tau eps)^2 (1 K)^2 / sigma^2 at +1 K
    hot = y.clone()
    hot[:, 0] += 1.0
    res_hot = model.rte_terms(x, hot)['residual_k']
    assert (terms['residual_k'] ** 2).mean() < 1e-7 < 0.1 < (res_hot ** 2).mean()
    assert (res_hot < 0).all()
    bad = y[:4].clone()
    bad[0, 1], bad[1, 2], bad[2, 3], bad[3, 0] = 1.2, -1.0, -0.5, 400.0
    bounds = model.rte_terms(x[:4], bad)['bounds']
    std = model.target_std
    expect = torch.stack([(0.2 / std[1]) ** 2, (1.0 / std[2]) ** 2, (0.5 / std[3]) ** 2,
                          (50.0 / std[0]) ** 2])
    torch.testing.assert_close(bounds, expect)


def test_pinn_validation():
    stats = dict(inputs={n: dict(mean=0, std=1) for n in INPUTS},
                 targets={n: dict(mean=0, std=1) for n in TARGETS})
    with pytest.raises(ValueError, match='needs 4 targets'):
        PINNRetriever(INPUTS, ['lst'], norm=None)
    with pytest.raises(ValueError, match='emissivity_name'):
        PINNRetriever(['bt:0', 'wvc'], TARGETS)
    with pytest.raises(ValueError, match='lst_range'):
        PINNRetriever(INPUTS, TARGETS, lst_range=(350, 200))
    model = _model(stats)
    losses = model(torch.rand(5, 4) + 0.5, [_sample(torch.rand(4))] * 5, mode='loss')
    assert set(losses) == {'loss_lst', 'loss_aux', 'loss_rte', 'loss_bounds'}


def _sample(target):
    from mmengine.structures import BaseDataElement
    s = BaseDataElement()
    s.gt_target = target
    return s


def test_tiny_pinn_training_beats_the_mean_and_learns_tau(cache):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is fastest on a shared machine
    try:
        _tiny_run(cache)
    finally:
        torch.set_num_threads(threads)


def _tiny_run(cache):
    torch.manual_seed(0)
    common = dict(simulation=SIM, inputs=INPUTS, targets=TARGETS, cache_dir=cache)
    train = RetrievalDataset(split='train', **common)
    test = RetrievalDataset(split='test', **common)
    x, y, _ = (torch.as_tensor(a) for a in train.arrays())
    xt, yt, _ = (torch.as_tensor(a) for a in test.arrays())
    model = _model(train.norm_stats)
    model.eval()
    with torch.no_grad():
        tau_err0 = (model(xt, mode='tensor')[:, 1] - yt[:, 1]).pow(2).mean().sqrt().item()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    gen = torch.Generator().manual_seed(0)
    for step in range(250):
        model.train()
        idx = torch.randint(0, x.shape[0], (128,), generator=gen)
        losses = model.loss(x[idx], y[idx])
        loss = sum(losses.values())
        opt.zero_grad()
        loss.backward()
        if step == 0:
            for name, p in model.named_parameters():
                assert p.grad is not None and p.grad.abs().sum() > 0, name
        opt.step()
    assert losses['loss_rte'].item() > 0
    model.eval()
    with torch.no_grad():
        pred = model(xt, mode='tensor')
    rmse = (pred[:, 0] - yt[:, 0]).pow(2).mean().sqrt().item()
    rmse_mean = (yt[:, 0] - y[:, 0].mean()).pow(2).mean().sqrt().item()
    tau_err = (pred[:, 1] - yt[:, 1]).pow(2).mean().sqrt().item()
    print(f'tiny PINN: LST RMSE {rmse:.3f} K (mean predictor {rmse_mean:.3f} K), '
          f'tau RMSE {tau_err0:.4f} -> {tau_err:.4f}')
    assert rmse < 0.15 * rmse_mean, (rmse, rmse_mean)
    assert tau_err < 0.25 * tau_err0, (tau_err, tau_err0)
    assert tau_err < 0.05


def test_pinn_config_builds_and_experiment_tool_runs(tmp_path, monkeypatch, capsys):
    from mmengine.config import Config

    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(osp.join(ROOT, 'configs/retrieval/pinn_l8-b10-singlechannel_sim.py'))
    cfg.model.norm = None  # no simulation needed to check the model section
    model = MODELS.build(cfg.model)
    assert isinstance(model, PINNRetriever) and model.lambda_rte > 0
    assert cfg.train_dataloader.dataset.targets == TARGETS
    from groklst.models.retrievers.experiments.pinn import PINNSettings, run_pinn
    threads = torch.get_num_threads()
    try:
        results, text = run_pinn(PINNSettings(n=2000, steps=10, seeds=[0], eval_every=5,
                                              batch=64, cache_dir=str(tmp_path / 'sim')))
    finally:
        torch.set_num_threads(threads)
    assert '| PINN (λ_RTE=1) |' in text and 'Runtime:' in text
    assert results['MLP (LST only)'][0]['n'] == 200
