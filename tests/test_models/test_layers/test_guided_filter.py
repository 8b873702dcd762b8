"""GISR zoo, part A: DJF, DJFR, MSG-Net, DGF, SVLRM, PixTransform (+ per-image fit), guided filter.

Shapes at x2/x4/x8 with K = 3 and K = 10 guidance bands, gradients to every parameter, the
defining property of each model, and the configs of these models built through the registry.
"""
import glob
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from groklst.models.backbones.gisr.dgf import AdaptiveNorm
from groklst.models.backbones.gisr.msgnet import GaussianLowPass
from groklst.models.backbones.gisr.pixtransform import PixTransformMLP
from groklst.models.classic.pixtransform_fit import lr_consistency_l1
from groklst.models.layers.guided_filter import (ConvGuidedFilter, box_filter,
                                                 fast_guided_filter, guided_filter)
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Tiny tensors: one intra-op thread is faster, and avoids thread hand-off stalls when the
    machine is shared (measured: 10 ms vs 600 ms per fit step under load)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

# Small widths so that 36 forward + backward passes stay within a few seconds.
SMALL = {
    'DJF': dict(branch_channels=(8, 4, 1), fusion_channels=(8, 4)),
    'DJFR': dict(branch_channels=(8, 4, 3), fusion_channels=(8, 4)),
    'MSGNet': dict(blur_kernel=5, blur_sigma=1.0),
    'DGF': dict(lr_channels=8, lr_depth=2, guide_hidden=4),
    'DGFConv': dict(filter_type='conv', lr_channels=8, lr_depth=2, guide_hidden=4),
    'SVLRM': dict(channels=8, num_layers=3),
    'PixTransformNet': dict(hidden=8, width=16),
}
CONFIG_DIRS = {'DJF': 'djf', 'DJFR': 'djfr', 'MSGNet': 'msgnet', 'DGF': 'dgf', 'SVLRM': 'svlrm',
               'PixTransformNet': 'pixtransform'}


def _build(name, scale, k):
    cfg = dict(SMALL[name])
    return MODELS.build(dict(type='DGF' if name == 'DGFConv' else name, scale=scale,
                             guidance_channels=k, **cfg))


def _wake_up(net):
    """AdaptiveNorm starts with w1 = 0, which blocks the gradient of its BatchNorm; open it."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, AdaptiveNorm):
                m.w1.fill_(0.5)


@pytest.mark.parametrize('k', [3, 10])
@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('name', sorted(SMALL))
def test_shape_and_gradients(name, scale, k):
    torch.manual_seed(0)
    net = _build(name, scale, k)
    assert net.uses_guidance is True and net.model_kind == 'gisr'
    assert net.supported_scales == (2, 4, 8) and net.paper and net.guidance_channels == k
    _wake_up(net)
    lr, guidance = torch.randn(2, 1, 8, 8), torch.randn(2, k, 8 * scale, 8 * scale)
    out = net(lr, guidance)
    assert out.shape == (2, 1, 8 * scale, 8 * scale) and out.dtype == torch.float32
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    params = dict(net.named_parameters())
    missing = [n for n, p in params.items() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, missing
    zero = [n for n, p in params.items() if not p.grad.any()]
    assert len(zero) <= len(params) // 10, zero


@pytest.mark.parametrize('name', sorted(CONFIG_DIRS))
def test_wrong_guidance_is_rejected(name):
    net = _build(name, 4, 3)
    with pytest.raises(ValueError, match='expects 3'):
        net(torch.randn(1, 1, 8, 8), torch.randn(1, 4, 32, 32))
    with pytest.raises(ValueError, match=r'expected \(32, 32\)'):
        net(torch.randn(1, 1, 8, 8), torch.randn(1, 3, 16, 16))
    with pytest.raises(ValueError, match='supports scales'):
        MODELS.build(dict(type=name, scale=3, guidance_channels=3))


# ---------------------------------------------------------------- guided filter (layer file)
def test_box_filter_hand_computed():
    x = torch.arange(9.0).reshape(1, 1, 3, 3)
    out = box_filter(x, 1)
    # centre: mean of 0..8 = 4; corner (0, 0): mean of {0, 1, 3, 4} = 2; edge (0, 1): 2.5
    assert out[0, 0, 1, 1] == pytest.approx(4.0)
    assert out[0, 0, 0, 0] == pytest.approx(2.0)
    assert out[0, 0, 0, 1] == pytest.approx(2.5)
    torch.testing.assert_close(box_filter(x, 0), x)
    with pytest.raises(ValueError, match='radius'):
        box_filter(x, -1)


def test_guided_filter_constant_guide_is_box_of_box_mean():
    """I constant -> var = cov = 0 -> a = 0, b = mean(p) -> q = box(box(p)) (He et al. Eq. 8)."""
    torch.manual_seed(0)
    src = torch.randn(2, 1, 9, 11)
    guide = torch.full_like(src, 3.0)
    out = guided_filter(guide, src, 2, 1e-3)
    torch.testing.assert_close(out, box_filter(box_filter(src, 2), 2), atol=1e-5, rtol=0)
    # fast variant: the same coefficients at LR, upsampled bilinearly
    hr_guide = torch.full((2, 1, 18, 22), 3.0)
    out = fast_guided_filter(guide, src, hr_guide, 1, 1e-3)
    want = F.interpolate(box_filter(box_filter(src, 1), 1), size=(18, 22), mode='bilinear',
                         align_corners=False)
    torch.testing.assert_close(out, want, atol=1e-5, rtol=0)


def test_guided_filter_self_guided_keeps_edges():
    """Step edge 0 | 1, r = 1: at the edge var = 2/9 >> eps, so a ~ 1 and the step survives,
    while the box mean smooths it to 1/3 and 2/3; a large eps smooths like the box filter."""
    step = torch.zeros(1, 1, 8, 8)
    step[..., 4:] = 1.0
    kept = guided_filter(step, step, 1, 1e-4)
    assert (kept - step).abs().max() < 5e-3
    assert (box_filter(step, 1) - step).abs().max() == pytest.approx(1 / 3, abs=1e-6)
    smooth = guided_filter(step, step, 1, 1e3)
    torch.testing.assert_close(smooth, box_filter(box_filter(step, 1), 1), atol=1e-3, rtol=0)


def test_guided_filter_bad_shapes():
    with pytest.raises(ValueError, match='1 channel or as many'):
        guided_filter(torch.zeros(1, 2, 4, 4), torch.zeros(1, 3, 4, 4), 1, 1e-2)
    with pytest.raises(ValueError, match='eps'):
        guided_filter(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 4, 4), 1, 0.0)


def test_conv_guided_filter_starts_as_a_normalised_box():
    """The learned box starts at ones: a constant field stays constant through it."""
    f = ConvGuidedFilter(1, radius=2)
    x = torch.full((1, 1, 6, 6), 2.5)
    torch.testing.assert_close(f._mean(x), x)


# ---------------------------------------------------------------- model-specific properties
def test_djfr_is_djf_network_with_bicubic_residual_in_its_configs():
    djf = Config.fromfile(osp.join(ROOT, 'configs/gisr/djf/djf_x4_4xb1-10k_groklst.py'))
    djfr = Config.fromfile(osp.join(ROOT, 'configs/gisr/djfr/djfr_x4_4xb1-10k_groklst.py'))
    assert djf.model.residual is None and djfr.model.residual == 'bicubic'
    a = MODELS.build(dict(type='DJF', scale=2, guidance_channels=3, **SMALL['DJF']))
    b = MODELS.build(dict(type='DJFR', scale=2, guidance_channels=3, **SMALL['DJF']))
    b.load_state_dict(a.state_dict())
    lr, g = torch.randn(1, 1, 8, 8), torch.randn(1, 3, 16, 16)
    torch.testing.assert_close(a(lr, g), b(lr, g))


def test_msgnet_low_frequency_path():
    """The Gaussian keeps constants; with the main branch silenced MSG-Net returns the
    low-pass of the bicubic LR, so a constant LR field comes back unchanged."""
    lp = GaussianLowPass(7, 2.0)
    torch.testing.assert_close(lp(torch.full((1, 2, 5, 5), 4.0)), torch.full((1, 2, 5, 5), 4.0))
    assert lp.kernel.sum() == pytest.approx(1.0)
    net = MODELS.build(dict(type='MSGNet', scale=4, guidance_channels=3, blur_kernel=5,
                            blur_sigma=1.0))
    with torch.no_grad():
        net.reconstruct[-1].weight.zero_()
        net.reconstruct[-1].bias.zero_()
    lr = torch.randn(1, 1, 8, 8)
    out = net(lr, torch.randn(1, 3, 32, 32))
    torch.testing.assert_close(out, net.low_pass(interpolate_lr(lr, 4, 'bicubic')))
    const = net(torch.full((1, 1, 8, 8), 0.7), torch.randn(1, 3, 32, 32))
    torch.testing.assert_close(const, torch.full_like(const, 0.7), atol=1e-5, rtol=0)


def test_svlrm_output_is_linear_in_the_guidance():
    """Constant coefficient maps (last conv: zero weights, bias = (a_1..a_K, b)) give
    sum_k a_k G_k + b exactly."""
    net = MODELS.build(dict(type='SVLRM', scale=2, guidance_channels=3, channels=8,
                            num_layers=3))
    coef = torch.tensor([0.5, -2.0, 1.5, 0.25])
    with torch.no_grad():
        net.coefficients[-1].weight.zero_()
        net.coefficients[-1].bias.copy_(coef)
    g = torch.randn(2, 3, 16, 16)
    out = net(torch.randn(2, 1, 8, 8), g)
    want = (coef[:3].view(1, 3, 1, 1) * g).sum(1, keepdim=True) + coef[3]
    torch.testing.assert_close(out, want)


def test_dgf_without_lr_network_is_the_fast_guided_filter_of_its_guide_map():
    net = MODELS.build(dict(type='DGF', scale=4, guidance_channels=3, lr_depth=0,
                            guide_hidden=4)).eval()
    lr, g = torch.randn(1, 1, 8, 8), torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        want = fast_guided_filter(net.guide_map(F.avg_pool2d(g, 4)), lr, net.guide_map(g), 1,
                                  1e-4)
        torch.testing.assert_close(net(lr, g), want)


def test_pixtransform_mlp_is_pixel_wise_and_dense_path_matches():
    torch.manual_seed(0)
    mlp = PixTransformMLP(3, 2, hidden=8, width=16)
    g, sp = torch.randn(1, 3, 5, 6), torch.randn(1, 2, 5, 6)
    out = mlp(g, sp)
    flat = mlp.forward_pixels(g[0].reshape(3, -1).t(), sp[0].reshape(2, -1).t())
    torch.testing.assert_close(out.reshape(-1), flat, atol=1e-5, rtol=1e-5)
    g2 = g.clone()
    g2[..., 2, 3] += 1.0  # changes only pixel (2, 3)
    changed = (mlp(g2, sp) - out).abs()[0, 0] > 0
    assert changed[2, 3] and changed.sum() == 1


# ---------------------------------------------------------------- per-image PixTransform fit
def _smooth_function_scene(scale=4, h=8):
    """HR LST (K) a smooth non-linear function of two fine-textured guidance bands."""
    gen = torch.Generator().manual_seed(0)
    big = h * scale
    g = torch.randn(1, 2, big, big, generator=gen)
    g = 0.6 * g + 0.4 * F.interpolate(torch.randn(1, 2, h // 2, h // 2, generator=gen),
                                      size=(big, big), mode='bilinear', align_corners=False)
    hr = 300.0 + 4.0 * torch.tanh(g[:, :1]) + 2.0 * g[:, 1:] - 1.0 * g[:, :1] * g[:, 1:]
    return F.avg_pool2d(hr, scale), g, hr


def test_pixtransform_fit_lowers_its_loss_and_beats_bicubic():
    lr, g, hr = _smooth_function_scene()
    mask = torch.ones_like(lr, dtype=torch.bool)
    mask[..., 0, :3] = False  # invalid LR pixels are not fitted
    untrained = MODELS.build(dict(type='PixTransformFit', scale=4, guidance_channels=2,
                                  num_steps=0, hidden=16, width=128))
    fit = MODELS.build(dict(type='PixTransformFit', scale=4, guidance_channels=2,
                            num_steps=400, batch_size=16, lr=3e-3, hidden=16, width=128))
    pred0, _ = untrained.fit_scene(lr[0], g[0], mask[0])
    pred, losses = fit.fit_scene(lr[0], g[0], mask[0])
    assert len(losses) == 400
    assert sum(losses[-40:]) / 40 < 0.5 * sum(losses[:40]) / 40
    assert lr_consistency_l1(pred[None], lr, 4, mask) < 0.5 * lr_consistency_l1(
        pred0[None], lr, 4, mask)
    rmse_fit = (pred[None] - hr).square().mean().sqrt()
    rmse_bicubic = (interpolate_lr(lr, 4, 'bicubic') - hr).square().mean().sqrt()
    assert rmse_fit < 0.8 * rmse_bicubic, (float(rmse_fit), float(rmse_bicubic))


def test_pixtransform_fit_predict_mode_is_seeded_and_cannot_train():
    lr, g, _ = _smooth_function_scene(scale=2)
    model = MODELS.build(dict(type='PixTransformFit', scale=2, guidance_channels=2,
                              num_steps=5, hidden=8, width=16))
    state = torch.random.get_rng_state()
    a = model(dict(lr=lr, guidance=g), mode='tensor')
    assert torch.equal(torch.random.get_rng_state(), state)  # global RNG untouched
    b = model(dict(lr=lr, guidance=g), mode='tensor')
    assert a.shape == (1, 1, 16, 16)
    torch.testing.assert_close(a, b, atol=0, rtol=0)
    with pytest.raises(RuntimeError, match='nothing to train'):
        model(dict(lr=lr, guidance=g), mode='loss')


# ---------------------------------------------------------------- configs
OWN_CONFIGS = sorted(
    [p for d in CONFIG_DIRS.values() for p in glob.glob(osp.join(ROOT, 'configs/gisr', d, '*.py'))]
    + glob.glob(osp.join(ROOT, 'configs/classic/pixtransform-fit_*.py')))


def test_every_model_has_its_four_configs():
    for d in CONFIG_DIRS.values():
        names = sorted(osp.basename(p)
                       for p in glob.glob(osp.join(ROOT, 'configs/gisr', d, '*.py')))
        want = [f'{d}_x2_4xb1-10k_groklst.py', f'{d}_x4_4xb1-10k_groklst.py',
                f'{d}_x8_4xb1-10k_groklst.py', f'{d}_x4_1xb4-800it_landsat8-demo.py']
        if d == 'djfr':  # the GrokLST implementation's setting (its Table IX), see the README
            want += [f'{d}_groklst-settings_x{s}_4xb1-10k_groklst.py' for s in (2, 4, 8)]
        assert names == sorted(want), names
        assert osp.isfile(osp.join(ROOT, 'configs/gisr', d, 'README.md')), d
    assert len(glob.glob(osp.join(ROOT, 'configs/classic/pixtransform-fit_*.py'))) == 6


@pytest.mark.parametrize('path', OWN_CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds_with_the_dataset_k_and_scale(path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model.to_dict()
    if 'lst_norm' in model_cfg:
        model_cfg['lst_norm'] = dict(mean=300.0, std=5.0)
    with torch.device('meta'):
        model = MODELS.build(model_cfg)
    net = getattr(model, 'generator', model)
    assert model.scale == cfg.scale == cfg.test_dataloader.dataset.scale
    assert f'x{cfg.scale}' in osp.basename(path)
    assert net.guidance_channels == len(cfg.guidance_bands)
    assert net.supported_scales == (2, 4, 8) and net.paper
