"""Tests of the transformer / attention SISR generators (SwinIR, ACT, NGswin, DCTLSA, OmniSR,
SAFMN, EGASR, HAUNet, FENet, CFGN), their configs, and the shared window-attention layers."""
import glob
import os

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

import groklst.models  # noqa: F401  (registers the generators)
from groklst.models.layers import (CALayer, LayerNorm2d, MultiHeadAttention, SwinTransformerBlock,
                                   WindowAttention, grid_partition, grid_reverse,
                                   pad_to_multiple, shifted_window_mask, window_partition,
                                   window_reverse)
from groklst.registry import MODELS
from tests.fixtures.paths import ROOT as REPO


# Small instances (fast on 2 CPU cores) and the LR height each is tested at (width = height - 1,
# so both odd and non-square sizes exercise the internal padding).
SMALL = {
    'SwinIR': (dict(embed_dim=12, depths=(2, 2), num_heads=(2, 2), window_size=4,
                    num_feat=8), 10),
    'ACT': (dict(n_feats=4, n_fusionblocks=2, n_resblocks=1, n_heads=2), 10),
    # LR 6x5 pads to 8x8: the last stage holds a single 2x2 window (N-gram edge fallback).
    'NGswin': (dict(embed_dim=16, depths=(2, 1, 1), num_heads=(2, 2, 2), dec_depth=2,
                    dec_num_heads=2, window_size=2), 6),
    'DCTLSA': (dict(nf=8, num_modules=2, num_head=2, window_size=4), 10),
    'OmniSR': (dict(num_feat=8, res_num=1, window_size=4), 10),
    'SAFMN': (dict(dim=8, n_blocks=2), 10),
    'EGASR': (dict(n_feats=8, n_resgroups=2, n_resblocks=1), 10),
    'HAUNet': (dict(width=8, middle_blk_num=2, enc_blk_nums=(1, 1), dec_blk_nums=(1, 1),
                    heads=(1, 2, 2)), 10),
    'FENet': (dict(n_feats=8, n_blocks=2, group=4), 10),
    'CFGN': (dict(n_feats=8, n_resgroups=2, groups=4), 10),
}
CONFIG_DIRS = {
    'SwinIR': 'swinir', 'ACT': 'act', 'NGswin': 'ngswin', 'DCTLSA': 'dctlsa',
    'OmniSR': 'omnisr', 'SAFMN': 'safmn', 'EGASR': 'egasr', 'HAUNet': 'haunet',
    'FENet': 'fenet-freq', 'CFGN': 'cfgn',
}


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _wake_zero_gates(net: nn.Module) -> None:
    """Make the gradient check test the connectivity of the graph, not the luck of the init.

    * Some architectures initialise residual gates at zero (HAUNet's beta/gamma, EGASR's gamma),
      so a block starts as the identity and the weights behind the gate get exactly zero
      gradient on the first step: set those gates to 0.1.
    * The channel-attention bottleneck of a tiny RCAB (ACT's CNN branch) has a single ReLU
      unit that may be dead at a random init: switch it on.
    """
    with torch.no_grad():
        for name, p in net.named_parameters():
            if not name.endswith('bias') and not p.any():
                p.fill_(0.1)
        for m in net.modules():
            if isinstance(m, CALayer):
                m.gate[0].bias.fill_(1.0)


@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('name', sorted(SMALL))
def test_generator_shape_dtype_and_gradients(name, scale):
    kwargs, lr_size = SMALL[name]
    cls = MODELS.get(name)
    assert cls.uses_guidance is False and cls.model_kind == 'sisr'
    assert scale in cls.supported_scales and cls.paper
    net = cls(scale=scale, **kwargs)
    _wake_zero_gates(net)
    x = torch.randn(2, 1, lr_size, lr_size - 1)  # odd, non-square: exercises the padding
    out = net(x)
    assert out.shape == (2, 1, scale * lr_size, scale * (lr_size - 1))
    assert out.dtype == torch.float32
    out.abs().mean().backward()
    missing = [n for n, p in net.named_parameters() if p.requires_grad and p.grad is None]
    zero = [n for n, p in net.named_parameters()
            if p.requires_grad and p.grad is not None and not p.grad.any()]
    assert not missing, missing
    assert not zero, zero


@pytest.mark.parametrize('name,kwargs', [
    ('SwinIR', dict(embed_dim=16, depths=(2,), num_heads=(2,), window_size=4,
                    upsampler='pixelshuffledirect', resi_connection='3conv')),
    ('CFGN', dict(n_feats=8, n_resgroups=1, block_type='srb', act='identity')),
    ('OmniSR', dict(num_feat=8, res_num=1, window_size=4, with_pe=False)),
])
def test_generator_variants(name, kwargs):
    net = MODELS.get(name)(scale=4, **kwargs)
    assert net(torch.randn(1, 1, 9, 7)).shape == (1, 1, 36, 28)


@pytest.mark.parametrize('name', sorted(SMALL))
def test_generator_rejects_unsupported_scale(name):
    with pytest.raises(ValueError, match='scale'):
        MODELS.get(name)(scale=3, **SMALL[name][0])


def _configs():
    found = []
    for name, sub in CONFIG_DIRS.items():
        files = sorted(glob.glob(os.path.join(REPO, 'configs', 'sisr', sub, '*.py')))
        found += [pytest.param(name, f, id=os.path.basename(f)) for f in files]
    return found


def test_every_model_has_its_configs():
    for name, sub in CONFIG_DIRS.items():
        names = {os.path.basename(f)
                 for f in glob.glob(os.path.join(REPO, 'configs', 'sisr', sub, '*.py'))}
        for s in (2, 4, 8):
            assert f'{sub}_x{s}_4xb1-10k_groklst.py' in names, (name, s)
        assert any(n.startswith(f'{sub}_x4_1xb4-') and n.endswith('landsat8-demo.py')
                   for n in names), name


@pytest.mark.parametrize('name,path', _configs())
def test_config_builds(name, path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model.to_dict()
    assert model_cfg['type'] == 'Downscaler'
    assert model_cfg['generator']['type'] == name
    assert model_cfg['generator']['scale'] == model_cfg['scale'] == cfg.scale
    model_cfg['lst_norm'] = dict(mean=300.0, std=5.0)
    model = MODELS.build(model_cfg)
    assert type(model.generator).__name__ == name


RESIDUALS = {'SwinIR': None, 'ACT': None, 'NGswin': None, 'DCTLSA': None, 'OmniSR': None,
             'SAFMN': None, 'EGASR': 'bilinear', 'HAUNet': 'bilinear', 'FENet': 'bicubic',
             'CFGN': None}


@pytest.mark.parametrize('name,path', _configs())
def test_config_residual_matches_original_design(name, path):
    assert Config.fromfile(path).model.residual == RESIDUALS[name]


@pytest.mark.parametrize('sub', ['safmn', 'egasr', 'fenet-freq'])
def test_demo_config_predicts_kelvin(sub):
    """One model per residual kind (None, bilinear, bicubic) through the Downscaler."""
    path = os.path.join(REPO, 'configs', 'sisr', sub, f'{sub}_x4_1xb4-800it_landsat8-demo.py')
    model_cfg = Config.fromfile(path).model.to_dict()
    model_cfg['lst_norm'] = dict(mean=300.0, std=5.0)
    model = MODELS.build(model_cfg).eval()
    lr = 300.0 + 5.0 * torch.randn(1, 1, 8, 8)
    with torch.no_grad():
        pred = model(dict(lr=lr), mode='tensor')
    assert pred.shape == (1, 1, 32, 32) and torch.isfinite(pred).all()
    assert 250.0 < pred.mean().item() < 350.0


# ---------------------------------------------------------------- shared window attention


@pytest.mark.parametrize('window', [4, (2, 3)])
def test_window_partition_round_trip(window):
    x = torch.randn(2, 8, 12, 5)
    win = window_partition(x, window)
    wh, ww = (window, window) if isinstance(window, int) else window
    assert win.shape == (2 * (8 // wh) * (12 // ww), wh, ww, 5)
    assert torch.equal(window_reverse(win, window, 8, 12), x)
    # The first window is the top-left block.
    assert torch.equal(win[0], x[0, :wh, :ww])


def test_grid_partition_round_trip_and_stride():
    x = torch.randn(2, 8, 12, 3)
    grp = grid_partition(x, (4, 3))
    assert grp.shape == (2 * 2 * 4, 4, 3, 3)
    assert torch.equal(grid_reverse(grp, (4, 3), 8, 12), x)
    # Group 0 samples the map with stride (8/4, 12/3) = (2, 4).
    assert torch.equal(grp[0], x[0, ::2, ::4])


def test_partition_rejects_indivisible_maps():
    with pytest.raises(ValueError, match='divisible'):
        window_partition(torch.randn(1, 7, 8, 2), 4)


def test_pad_to_multiple():
    x = torch.randn(1, 2, 5, 8)
    y, size = pad_to_multiple(x, 4)
    assert size == (5, 8) and y.shape == (1, 2, 8, 8)
    assert torch.equal(y[..., :5, :8], x)
    y, _ = pad_to_multiple(x, 4, min_size=16, mode='constant')
    assert y.shape == (1, 2, 16, 16) and not y[..., 5:, :].any()


def test_shifted_window_mask():
    mask = shifted_window_mask(8, 8, 4, 2)
    assert mask.shape == (4, 16, 16)
    assert not mask[0].any()  # the top-left window holds a single region
    assert (mask[-1] == -100).any()  # the bottom-right one mixes wrapped-around regions
    assert torch.equal(mask, mask.transpose(1, 2))


@pytest.mark.parametrize('cosine', [False, True])
def test_window_attention_shape(cosine):
    attn = WindowAttention(16, (4, 2), num_heads=3, cosine=cosine)  # inner width 15 != 16
    x = torch.randn(6, 8, 16)
    assert attn(x).shape == (6, 8, 16)
    mask = torch.zeros(3, 8, 8)
    assert attn(x, mask).shape == (6, 8, 16)
    with pytest.raises(ValueError):
        attn(torch.randn(6, 9, 16))


def test_swin_block_and_helpers_shapes():
    blk = SwinTransformerBlock(8, num_heads=2, window_size=4, shift_size=2, mlp_ratio=2)
    x = torch.randn(2, 8 * 12, 8)
    assert blk(x, (8, 12)).shape == x.shape
    mha = MultiHeadAttention(8, num_heads=2, head_dim=4)
    assert mha(torch.randn(2, 5, 8), torch.randn(2, 7, 8)).shape == (2, 5, 8)
    ln = LayerNorm2d(4)
    y = ln(torch.randn(2, 4, 3, 3) * 5 + 2)
    assert torch.allclose(y.mean(1), torch.zeros(2, 3, 3), atol=1e-5)
