"""GISR zoo, part C: DAGF, RSAG, CUNet, DCTNet, PMBA-Net, SGNet, DSRN (+ the DCT op).

Shapes at x2/x4/x8 with K = 3 and K = 10 guidance bands, gradient flow to every parameter,
each model's defining property, and every config of these models built through the registry.
"""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from groklst.models.backbones.gisr.cunet import LISTABlock, soft_threshold
from groklst.models.backbones.gisr.dctnet import EdgeWeightNet, solve_guided_poisson
from groklst.models.backbones.gisr.sgnet import InvertibleConv1x1, gradient_magnitude
from groklst.models.layers import CALayer
from groklst.models.layers.dct import (dct_2d, dct_matrix, idct_2d, laplacian_dct_eigenvalues,
                                       neumann_laplacian)
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()

# Small widths/depths: the whole file must stay fast on 2 CPU cores.
SMALL = {
    'DCTNet': dict(n_feats=16, n_shared=8, n_layers=2),
    'CUNet': dict(n_filters=8, kernel_size=3, n_iters=2),
    'DSRN': dict(n_feats=8, n_levels=2),
    'PMBANet': dict(n_feats=8, guide_feats=8, n_units=2),
    'DAGF': dict(n_feats=8, n_res=1),
    'RSAG': dict(n_feats=4, n_blocks=1),
    'SGNet': dict(n_feats=4, n_resblocks=1, n_tail_blocks=1, n_gcm_blocks=1),
}
MODEL_DIRS = {'DCTNet': 'dctnet', 'CUNet': 'cunet', 'DSRN': 'dsrn', 'PMBANet': 'pmba',
              'DAGF': 'dagf', 'RSAG': 'rsag', 'SGNet': 'sgnet'}


def _build(name, scale, k):
    return MODELS.build(dict(type=name, scale=scale, guidance_channels=k, **SMALL[name]))


@pytest.mark.parametrize('k', [3, 10])
@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('name', sorted(SMALL))
def test_shape_and_gradients(name, scale, k):
    torch.manual_seed(0)
    net = _build(name, scale, k)
    assert net.uses_guidance is True and net.model_kind == 'gisr'
    assert net.supported_scales == (2, 4, 8) and net.paper and net.guidance_channels == k
    # Wake what legitimately blocks gradients at this tiny size: zero-initialised gates (DAGF's
    # fusion scales, RSAG's γ), channel-attention bottlenecks of one ReLU unit that a random
    # init can leave dead (RCAB/CALayer with 4-8 channels), and DCTNet's context branch, which
    # pools a 4x4 map to one pixel of 4 ReLU channels.
    with torch.no_grad():
        for p in net.parameters():
            if not p.any():
                p.normal_(0.0, 0.1)
        for m in net.modules():
            if isinstance(m, CALayer):
                m.gate[0].bias.fill_(1.0)
            elif isinstance(m, EdgeWeightNet):
                m.context[0].bias.fill_(1.0)
                m.context[2].bias.fill_(1.0)
    lr = torch.randn(1, 1, 4, 4)
    guidance = torch.randn(1, k, 4 * scale, 4 * scale)
    out = net(lr, guidance)
    assert out.shape == (1, 1, 4 * scale, 4 * scale)
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    params = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    missing = [n for n, p in params if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, missing
    zero = [n for n, p in params if not p.grad.any()]
    assert len(zero) <= 0.1 * len(params), zero


@pytest.mark.parametrize('name', sorted(SMALL))
def test_rejects_bad_scale_and_band_count(name):
    with pytest.raises(ValueError, match='scale'):
        MODELS.build(dict(type=name, scale=3, guidance_channels=3, **SMALL[name]))
    net = _build(name, 2, 3)
    with pytest.raises(ValueError, match='bands'):
        net(torch.randn(1, 1, 8, 8), torch.randn(1, 4, 16, 16))
    with pytest.raises(ValueError, match='expected'):
        net(torch.randn(1, 1, 8, 8), torch.randn(1, 3, 24, 24))


# ----------------------------------------------------------------------------- DCT / DCTNet
def test_dct_round_trip_and_scipy():
    from scipy.fft import dctn
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 11, dtype=torch.float64)
    coeffs = dct_2d(x)
    ref = dctn(x.numpy(), axes=(-2, -1), norm='ortho')
    np.testing.assert_allclose(coeffs.numpy(), ref, atol=1e-10)
    xf = x.float()
    assert (idct_2d(dct_2d(xf)) - xf).abs().max() < 1e-5
    d = dct_matrix(7, torch.float64)
    torch.testing.assert_close(d @ d.T, torch.eye(7, dtype=torch.float64))


def test_dct_diagonalizes_neumann_laplacian():
    torch.manual_seed(0)
    x = torch.randn(1, 2, 6, 9, dtype=torch.float64)
    kappa = laplacian_dct_eigenvalues(6, 9, torch.float64)
    torch.testing.assert_close(dct_2d(neumann_laplacian(x)), kappa * dct_2d(x))
    assert kappa[0, 0, 0, 0] == 0 and (kappa <= 0).all()
    # hand check of the 5-point stencil in the interior and at a replicated corner
    lap = neumann_laplacian(x)
    i, j = 2, 3
    hand = x[0, 0, i - 1, j] + x[0, 0, i + 1, j] + x[0, 0, i, j - 1] + x[0, 0, i, j + 1] \
        - 4 * x[0, 0, i, j]
    torch.testing.assert_close(lap[0, 0, i, j], hand)
    torch.testing.assert_close(lap[0, 0, 0, 0],
                               x[0, 0, 1, 0] + x[0, 0, 0, 1] - 2 * x[0, 0, 0, 0])


def test_dctnet_solver_satisfies_normal_equation():
    torch.manual_seed(0)
    d, r = torch.randn(2, 1, 3, 10, 12, dtype=torch.float64)
    w = torch.rand(1, 3, 10, 12, dtype=torch.float64)
    lam = torch.tensor([0.5, 2.0, 7.0], dtype=torch.float64).view(1, 3, 1, 1)
    z = solve_guided_poisson(d, r, w, lam)
    lhs = z + lam * neumann_laplacian(neumann_laplacian(z))
    rhs = d + lam * neumann_laplacian(w * neumann_laplacian(r))
    torch.testing.assert_close(lhs, rhs, atol=1e-9, rtol=1e-9)
    # a guide with zero weight leaves only the smoothing: constants pass unchanged
    const = torch.full((1, 3, 10, 12), 2.5, dtype=torch.float64)
    torch.testing.assert_close(solve_guided_poisson(const, r, torch.zeros_like(w), lam), const)


# ----------------------------------------------------------------------------- CUNet
def test_soft_threshold_and_lista_with_zero_dictionary():
    x = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.5])
    torch.testing.assert_close(soft_threshold(x, torch.tensor(0.5)),
                               torch.tensor([-1.5, 0.0, 0.0, 0.0, 1.0]))
    torch.manual_seed(0)
    block = LISTABlock(2, n_filters=4, kernel_size=3, n_iters=2)
    with torch.no_grad():
        for conv in block.decode:
            conv.weight.zero_()
        block.thresholds.copy_(torch.tensor([0.1, 0.2, 0.3]))
    x = torch.randn(1, 2, 5, 5)
    p = block.encode(x)
    # zero dictionary: u_{t+1} = S(p + u_t), a hand-unrolled recursion of soft-thresholds
    u0 = torch.sign(p) * (p.abs() - 0.1).clamp_min(0)
    u1 = torch.sign(p + u0) * ((p + u0).abs() - 0.2).clamp_min(0)
    u2 = torch.sign(p + u1) * ((p + u1).abs() - 0.3).clamp_min(0)
    torch.testing.assert_close(block(x), u2)


# ----------------------------------------------------------------------------- PMBA, DSRN
def test_pmba_one_class_stages_grow_with_scale():
    nets = {s: _build('PMBANet', s, 3) for s in (2, 4, 8)}
    assert len({type(n) for n in nets.values()}) == 1
    assert [nets[s].num_stages for s in (2, 4, 8)] == [2, 3, 4]
    assert [len(nets[s].stages) for s in (2, 4, 8)] == [2, 3, 4]
    # the projection kernels follow DBPN's (kernel, stride) per scale
    for s, (k, stride) in {2: (6, 2), 4: (8, 4), 8: (12, 8)}.items():
        conv = nets[s].down[0][0]
        assert conv.kernel_size == (k, k) and conv.stride == (stride, stride)
    # stage i sees the LR features of all previous stages: (i + 1) * F input channels
    first = [st.multi_view.dilated[0][0].in_channels for st in nets[8].stages]
    assert first == [8, 16, 24, 32]
    assert _build('PMBANet', 4, 3).__class__ is MODELS.get('PMBANet')
    with pytest.raises(ValueError, match='num_stages'):
        MODELS.build(dict(type='PMBANet', scale=2, guidance_channels=3, num_stages=0))


@pytest.mark.parametrize('name', ['DSRN', 'PMBANet', 'DAGF', 'RSAG'])
def test_padded_models_accept_odd_sizes(name):
    net = _build(name, 2, 3)
    with torch.no_grad():
        assert net(torch.randn(1, 1, 5, 7), torch.randn(1, 3, 10, 14)).shape == (1, 1, 10, 14)


def test_dsrn_residual_is_zero_for_a_silent_tail():
    # with a zero last conv the generator adds nothing to the bicubic LR the Downscaler adds
    net = _build('DSRN', 2, 3)
    with torch.no_grad():
        net.tail[-1].weight.zero_()
        net.tail[-1].bias.zero_()
        assert net(torch.randn(1, 1, 8, 8), torch.randn(1, 3, 16, 16)).abs().max() == 0


# ----------------------------------------------------------------------------- SGNet
def test_sgnet_gradient_magnitude_of_a_ramp():
    # x = 3 i - 2 j: central differences 2*3 and 2*(-2) inside, zero padding at the border
    i, j = torch.meshgrid(torch.arange(5.0), torch.arange(6.0), indexing='ij')
    x = (3 * i - 2 * j)[None, None].repeat(1, 2, 1, 1)
    mag = gradient_magnitude(x, eps=0.0)
    assert mag.shape == x.shape
    torch.testing.assert_close(mag[..., 1:-1, 1:-1],
                               torch.full((1, 2, 3, 4), (36.0 + 16.0) ** 0.5))
    # top-left corner: g_v = x[1, 0] - 0 = 3, g_h = x[0, 1] - 0 = -2
    torch.testing.assert_close(mag[0, 0, 0, 0], torch.tensor(13.0 ** 0.5))


def test_sgnet_invertible_conv_is_invertible_with_lu_log_det():
    torch.manual_seed(0)
    conv = InvertibleConv1x1(5)
    with torch.no_grad():
        conv.log_scale.add_(torch.linspace(-0.3, 0.4, 5))
        conv.lower.add_(0.1)
        conv.upper.add_(0.2)
    w = conv.weight()
    torch.testing.assert_close(torch.linalg.slogdet(w)[1], conv.log_scale.sum())
    x = torch.randn(2, 5, 3, 4)
    y = conv(x)
    back = torch.einsum('oc,bchw->bohw', torch.linalg.inv(w), y)
    torch.testing.assert_close(back, x, atol=1e-5, rtol=1e-5)


# ----------------------------------------------------------------------------- configs
def _configs():
    found = []
    for name, folder in MODEL_DIRS.items():
        files = sorted(glob.glob(osp.join(ROOT, 'configs', 'gisr', folder, '*.py')))
        found += [(name, f) for f in files]
    return found


def test_every_model_has_its_configs():
    for name, folder in MODEL_DIRS.items():
        files = {osp.basename(f) for f in glob.glob(osp.join(ROOT, 'configs', 'gisr', folder,
                                                             '*.py'))}
        want = {f'{folder}_x{s}_4xb1-10k_groklst.py' for s in (2, 4, 8)}
        want.add(f'{folder}_x4_1xb4-800it_landsat8-demo.py')
        assert want <= files, (name, sorted(want - files))


@pytest.mark.parametrize('name,path', _configs(), ids=lambda v: osp.basename(str(v)))
def test_config_builds(name, path):
    cfg = Config.fromfile(path)
    gen = cfg.model.generator
    assert gen.type == name and gen.scale == cfg.model.scale
    assert cfg.train_dataloader.dataset.scale == cfg.model.scale
    assert gen.guidance_channels == len(cfg.train_dataloader.dataset.guidance_bands)
    model_cfg = cfg.model.to_dict()
    assert model_cfg['lst_norm']['stats_file'] == cfg.stats_file
    if 'landsat8-demo' in path:  # paper sizes are built by test_configs_and_checkpoints.py
        model_cfg['lst_norm'] = dict(mean=300.0, std=5.0)  # stats come with the dataset
        model = MODELS.build(model_cfg)
        assert type(model.generator).__name__ == name
    # the residual choice follows the paper: these networks add the upsampled LR themselves
    bicubic = {'DAGF', 'RSAG', 'DSRN', 'SGNet'}
    assert cfg.model.residual == ('bicubic' if name in bicubic else None)
