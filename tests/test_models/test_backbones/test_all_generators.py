"""SISR zoo, part A: SRCNN, EDSR, RDN, RCAN, DBPN, SAN, SRFBN, HAN, CTNet, FeNet.

Shapes and gradient flow at x2/x4/x8 with small widths, the shared blocks, every config of
these models built through the registry, and ``tools/analysis/list_models.py --json``.
"""
import glob
import json
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

from groklst.models.backbones.sisr.ctnet import ContextEnhancement
from groklst.models.backbones.sisr.san_blocks import (SecondOrderChannelAttention,
                                                      covariance_pool, newton_schulz_sqrtm)
from groklst.models.layers import CALayer
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()

# Small widths/depths so that 30 forward + backward passes stay within a few seconds.
SMALL = {
    'SRCNN': dict(channels=(8, 4), kernel_sizes=(5, 1, 3)),
    'EDSR': dict(n_feats=8, n_resblocks=2),
    'RDN': dict(n_feats=8, n_blocks=2, n_layers=2, growth=4),
    'RCAN': dict(n_feats=8, n_resgroups=2, n_resblocks=1, reduction=4),
    'DBPN': dict(feat_channels=8, base_channels=4, num_stages=3),
    'SAN': dict(n_feats=8, n_resgroups=2, n_resblocks=1, reduction=4),
    'SRFBN': dict(num_features=8, num_groups=2, num_steps=2),
    'HAN': dict(n_feats=8, n_resgroups=2, n_resblocks=1, reduction=4),
    'CTNet': dict(n_feats=8, up_feats=4, n_blocks=2),
    'FeNet': dict(n_feats=8, n_blocks=2, reduction=4),
}
MODEL_DIRS = {'SRCNN': 'srcnn', 'EDSR': 'edsr', 'RDN': 'rdn', 'RCAN': 'rcan', 'DBPN': 'dbpn',
              'SAN': 'san', 'SRFBN': 'srfbn', 'HAN': 'han', 'CTNet': 'ctnet', 'FeNet': 'fenet'}


def _wake_up(net: nn.Module) -> None:
    """Make every parameter reachable by the gradient at this tiny size.

    Two things legitimately give zero gradients at initialisation and are switched off here so
    that the test checks the connectivity of the graph: (1) parameters that the papers
    initialise to zero as gates (SAN's non-local output conv, HAN's layer/channel-spatial
    attention scales γ) block the gradient of everything behind them; (2) an attention
    bottleneck of one or two ReLU units can be dead for a random init (channel attention; the
    two-channel, one-pixel context branch of CTNet's CEM at this size).
    """
    with torch.no_grad():
        for p in net.parameters():
            if not p.any():
                p.normal_(0.0, 0.1)
        for m in net.modules():
            if isinstance(m, (CALayer, SecondOrderChannelAttention)):
                m.gate[0].bias.fill_(1.0)
            elif isinstance(m, ContextEnhancement):
                m.range.bias.fill_(1.0)
                m.refine[0].bias.fill_(1.0)


@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('name', sorted(SMALL))
def test_shape_dtype_and_gradients(name, scale):
    torch.manual_seed(0)
    net = MODELS.build(dict(type=name, scale=scale, in_channels=1, **SMALL[name]))
    assert net.uses_guidance is False and net.model_kind == 'sisr'
    assert net.supported_scales == (2, 4, 8) and net.paper
    _wake_up(net)
    lr = torch.randn(2, 1, 8, 8)
    out = net(lr)
    assert out.shape == (2, 1, 8 * scale, 8 * scale)
    assert out.dtype == torch.float32
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    no_grad = [n for n, p in net.named_parameters() if p.grad is None or not p.grad.any()]
    assert not no_grad, no_grad


@pytest.mark.parametrize('name', sorted(SMALL))
def test_rejects_unsupported_scale(name):
    with pytest.raises(ValueError):
        MODELS.build(dict(type=name, scale=3, **SMALL[name]))


def test_non_square_input():
    for name in ('SAN', 'CTNet', 'DBPN', 'HAN'):
        net = MODELS.build(dict(type=name, scale=2, **SMALL[name]))
        with torch.no_grad():
            assert net(torch.randn(1, 1, 6, 10)).shape == (1, 1, 12, 20)


def test_newton_schulz_matches_eigendecomposition():
    torch.manual_seed(0)
    x = torch.randn(2, 6, 5, 7, dtype=torch.float64)
    cov = covariance_pool(x)
    flat = x.reshape(2, 6, -1)
    flat = flat - flat.mean(-1, keepdim=True)
    torch.testing.assert_close(cov, flat @ flat.transpose(1, 2) / flat.shape[-1])
    evals, evecs = torch.linalg.eigh(cov)
    exact = evecs @ torch.diag_embed(evals.clamp_min(0).sqrt()) @ evecs.transpose(1, 2)
    approx = newton_schulz_sqrtm(cov, n_iter=30)
    torch.testing.assert_close(approx, exact, atol=1e-4, rtol=1e-3)
    five = newton_schulz_sqrtm(cov, n_iter=5)  # SAN's setting: an approximation
    assert (five - exact).norm() / exact.norm() < 0.3


def _configs():
    found = []
    for name, folder in MODEL_DIRS.items():
        files = sorted(glob.glob(osp.join(ROOT, 'configs', 'sisr', folder, '*.py')))
        found += [(name, f) for f in files]
    return found


def test_every_model_has_its_configs():
    by_model = {}
    for name, path in _configs():
        by_model.setdefault(name, []).append(osp.basename(path))
    for name, folder in MODEL_DIRS.items():
        files = by_model.get(name, [])
        for s in (2, 4, 8):
            assert f'{folder}_x{s}_4xb1-10k_groklst.py' in files, (name, files)
        assert any('landsat8-demo' in f and '_x4_' in f for f in files), (name, files)


@pytest.mark.parametrize('name,path', _configs(), ids=lambda v: osp.basename(str(v)))
def test_config_builds(name, path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else dict(cfg.model)
    assert model_cfg['generator']['type'] == name
    assert model_cfg['generator']['scale'] == model_cfg['scale'] == cfg.get('scale')
    assert model_cfg['lst_norm']['stats_file'] == cfg.stats_file
    model_cfg['lst_norm'] = dict(mean=300., std=5.)
    # Paper-size models: build on the meta device (no memory, no init cost).
    with torch.device('meta'):
        model = MODELS.build(model_cfg)
    assert type(model.generator).__name__ == name
    assert model.residual == model_cfg['residual']


def test_list_models_json(cli_runs):
    code, out = cli_runs['tools/analysis/list_models.py --json']
    assert code is None, code
    rows = {r['name']: r for r in json.loads(out)}
    for name in SMALL:
        assert rows[name]['kind'] == 'sisr'
        assert rows[name]['scales'] == [2, 4, 8]
        assert rows[name]['params_x4'] > 0
        assert rows[name]['paper']
    assert rows['bicubic']['kind'] == 'classic' and rows['bicubic']['params_x4'] == 0
    assert rows['bilinear']['kind'] == 'classic'
    assert not {r['kind'] for r in rows.values()} & {'neck', 'head'}  # parts: --kind only


def test_benchmark_zoo_schedule_options():
    from groklst.analysis import zoo_benchmark
    opts = zoo_benchmark.schedule_options(
        'configs/sisr/edsr/edsr_x4_1xb4-800it_landsat8-demo.py', iters=20, val_interval=5)
    assert 'train_cfg.max_iters=20' in opts and 'param_scheduler.T_max=20' in opts
    opts = zoo_benchmark.schedule_options(
        'configs/sisr/edsr/edsr_x4_4xb1-10k_groklst.py', iters=40, val_interval=10)
    assert 'param_scheduler.periods=[40]' in opts
