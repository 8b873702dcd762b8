"""Registered parts below the generators: fusion necks, reconstruction and regression heads.

The fusion modules of MoCoLSK-Net (Dai et al., "GrokLST", IEEE TGRS 2025) are necks any
dual-branch generator builds from config (MoCoLSKNet, AHMF); the reconstruction heads are chosen
by ``head=dict(type=...)``; ``tools/analysis/list_models.py --kind neck|head`` lists them.
"""
import json
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from groklst.models.backbones.mocolsk import MoCoLSKNet
from groklst.models.builder import build_part, per_stage_cfgs
from groklst.models.downscalers import Downscaler
from groklst.models.heads import (BaseReconstructionHead, PixelShuffleHead, RegressionHead,
                                  UpProjectionHead)
from groklst.models.layers import CALayer
from groklst.models.necks import BaseFusionNeck, IdentityFusion, MoCoLSKCSBlock, SKMBlock
from groklst.registry import MODELS
from groklst.structures import LSTDataSample
from tests.fixtures.paths import ROOT

NECKS = ('MoCoLSKBlock', 'MoCoLSKCSBlock', 'MoCoLSKExBlock', 'SKMBlock', 'LSKMBlock',
         'LSKCSMBlock', 'IdentityFusion')
HEADS = ('UpProjectionHead', 'PixelShuffleHead', 'RegressionHead')
SMALL = dict(base_dim=8, num_stages=2, n_resblocks=1, reduction=4)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _open_ca_gates(net):
    # A width-8 RCAB bottleneck has 2 ReLU units; a dead one legitimately gets zero gradient.
    for m in net.modules():
        if isinstance(m, CALayer):
            nn.init.constant_(m.gate[0].bias, 1.0)


# ----------------------------------------------------------------------------- registry
@pytest.mark.parametrize('name, kind', [(n, 'neck') for n in NECKS] + [(n, 'head') for n in HEADS])
def test_parts_are_registered_with_their_kind_and_paper(name, kind):
    cls = MODELS.get(name)
    assert cls is not None and cls.model_kind == kind
    assert cls.paper


def test_list_models_lists_the_necks_when_asked():
    """``--kind neck`` lists the necks (the full listing leaves the parts out: see
    test_sisr_zoo_a.test_list_models_json); ``--kind head`` filters the same way."""
    res = subprocess.run([sys.executable, 'tools/analysis/list_models.py', '--json', '--kind',
                          'neck'], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    rows = {r['name']: r for r in json.loads(res.stdout)}
    assert set(rows) == set(NECKS)
    assert all(r['kind'] == 'neck' and r['params_x4'] is None and r['scales'] == []
               for r in rows.values())
    assert 'GrokLST' in rows['MoCoLSKBlock']['paper']
    assert rows['SKMBlock']['module'] == 'groklst.models.necks.concat'
    assert MODELS.get('UpProjectionHead').supported_scales == (2, 4, 8)
    assert MODELS.get('PixelShuffleHead').supported_scales == (2, 3, 4, 8)


# ----------------------------------------------------------------------------- necks
@pytest.mark.parametrize('name', NECKS)
def test_every_neck_fuses_same_shape_features_and_trains(name):
    neck = build_part(dict(type=name), 'neck', dict(dim=8), dict(cs_min_dim=4))
    assert isinstance(neck, BaseFusionNeck) and neck.dim == 8
    lst = torch.randn(2, 8, 12, 12, requires_grad=True)
    gui = torch.randn(2, 8, 12, 12, requires_grad=True)
    out = neck(lst, gui)
    assert out.shape == (2, 8, 12, 12) and torch.isfinite(out).all()
    out.square().mean().backward()
    assert gui.grad is not None and gui.grad.abs().sum() > 0
    if name == 'IdentityFusion':
        assert out is gui and not list(neck.parameters())
    else:
        assert lst.grad is not None and lst.grad.abs().sum() > 0  # both modalities count
        for pname, p in neck.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), pname
    with pytest.raises(ValueError, match=rf'{name} expects lst and gui of shape \(B, 8, H, W\)'):
        neck(lst, gui[..., :6, :6])


def test_build_part_sets_host_arguments_and_hands_down_defaults():
    # the host's hyper-parameters reach the necks that take them ...
    cs = build_part(dict(type='MoCoLSKCSBlock'), 'neck', dict(dim=16),
                    dict(cs_min_dim=8, dynamic_kernel_size=5, sk_kernels=((3, 1), )))
    assert isinstance(cs, MoCoLSKCSBlock) and cs.lsk.condition_dim == 8  # max(16 // 2, 8)
    # ... and the neck config wins over them
    sk = build_part(dict(type='SKMBlock', cs_min_dim=2), 'neck', dict(dim=4), dict(cs_min_dim=8))
    assert isinstance(sk, SKMBlock) and sk.module.select.squeeze_dim == 4  # max(8 // 2, 2)
    cfg = dict(type='IdentityFusion')
    build_part(cfg, 'neck', dict(dim=3))
    assert cfg == dict(type='IdentityFusion')  # the config is not modified
    assert isinstance(build_part(dict(type=IdentityFusion, dim=3), 'neck', dict(dim=3)),
                      IdentityFusion)


def test_build_part_errors():
    with pytest.raises(KeyError, match="'NoSuchNeck' is not registered"):
        build_part(dict(type='NoSuchNeck'), 'neck', dict(dim=4), owner='Host')
    with pytest.raises(ValueError, match="Host needs a neck here, but PixelShuffleHead is of "
                                         "kind 'head'"):
        build_part(dict(type='PixelShuffleHead'), 'neck', dict(dim=4), owner='Host')
    with pytest.raises(ValueError, match="needs a neck here, but MoCoLSKNet is of kind 'gisr'"):
        build_part(dict(type='MoCoLSKNet'), 'neck', dict(dim=4))
    with pytest.raises(ValueError, match='Host sets dim=4 of its neck SKMBlock, found dim=8'):
        build_part(dict(type='SKMBlock', dim=8), 'neck', dict(dim=4), owner='Host')
    with pytest.raises(TypeError, match='a dict with a "type" key'):
        build_part('SKMBlock', 'neck', dict(dim=4))
    with pytest.raises(ValueError, match=r'neck needs one dict or one per stage \(3\), found 2'):
        per_stage_cfgs([dict(type='SKMBlock')] * 2, 3, 'neck')
    with pytest.raises(TypeError, match="every neck entry must be a dict, found 'S'"):
        per_stage_cfgs(['S', 'S'], 2, 'neck')


# ----------------------------------------------------------------------------- MoCoLSKNet
def test_block_types_are_a_shorthand_for_neck_configs():
    kwargs = dict(scale=2, guidance_channels=3, cs_min_dim=8, pool_type='max', **SMALL)
    lr, gui = torch.randn(2, 1, 6, 6), torch.randn(2, 3, 12, 12)
    torch.manual_seed(3)
    short = MoCoLSKNet(block_types=('C', 'SK-M'), **kwargs).eval()
    torch.manual_seed(3)
    full = MoCoLSKNet(neck=[dict(type='MoCoLSKCSBlock'), dict(type='SKMBlock')], **kwargs).eval()
    assert short.block_types == full.block_types == ('mocolsk-cs', 'sk-m')
    a, b = short.state_dict(), full.state_dict()
    assert list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a)
    with torch.no_grad():
        torch.testing.assert_close(short(lr, gui), full(lr, gui), atol=0, rtol=0)
    # the generator's fusion hyper-parameters reached the necks
    assert full.bridges[0].block.mcwg.pool.pool_type == 'max'
    assert full.bridges[1].block.module.select.squeeze_dim == 8


def test_neck_config_sets_its_own_arguments_and_names_unknown_necks():
    net = MoCoLSKNet(scale=2, guidance_channels=3, pool_type='avg',
                     neck=dict(type='MoCoLSKBlock', pool_type='max', lsk_kernels=((3, 1), )),
                     **SMALL)
    assert [b.block.mcwg.pool.pool_type for b in net.bridges] == ['max', 'max']
    assert [b.block.mcwg.weight_shape for b in net.bridges] == [(1, 2, 3, 3)] * 2
    assert net.block_types == ('mocolsk', 'mocolsk')
    with pytest.raises(ValueError, match='either block_types .* or neck, found both'):
        MoCoLSKNet(scale=2, guidance_channels=3, block_types='S', neck=dict(type='SKMBlock'),
                   **SMALL)
    with pytest.raises(ValueError, match=r'neck needs one dict or one per stage \(2\), found 3'):
        MoCoLSKNet(scale=2, guidance_channels=3, neck=[dict(type='SKMBlock')] * 3, **SMALL)
    with pytest.raises(KeyError, match="'SKM' is not registered"):
        MoCoLSKNet(scale=2, guidance_channels=3, neck=dict(type='SKM'), **SMALL)


def test_default_head_keeps_the_groklst_layout():
    net = MoCoLSKNet(scale=4, guidance_channels=3, **SMALL)
    width = 3 * 8  # (num_stages + 1) * base_dim
    names = {n for n, _ in net.named_children()}
    assert {'reconstruction', 'head'} <= names
    assert [type(m).__name__ for m in net.reconstruction] == [
        'ResidualGroup', 'DenseProjection', 'ResidualGroup', 'ResidualGroup']
    assert net.reconstruction[1].scale == 4
    assert [type(m).__name__ for m in net.head] == ['Conv2d', 'LeakyReLU', 'Conv2d']
    assert net.head[0].in_channels == width and net.head[0].out_channels == 8
    # the HR groups have twice the RCABs of the LR group (n_resblocks=1 -> 1 + conv, 2 + conv)
    assert len(net.reconstruction[0].body) == 2 and len(net.reconstruction[2].body) == 3


@pytest.mark.parametrize('scale', [2, 4, 8])
def test_pixel_shuffle_head_swaps_the_reconstruction(scale):
    net = MoCoLSKNet(scale=scale, guidance_channels=3, head=dict(type='PixelShuffleHead'),
                     **SMALL)
    ref = MoCoLSKNet(scale=scale, guidance_channels=3, **SMALL)
    assert type(net.reconstruction).__name__ == 'PixelShuffleUpsampler'
    assert isinstance(net.head, nn.Conv2d) and net.head.out_channels == 1
    n_net = sum(p.numel() for p in net.parameters())
    n_ref = sum(p.numel() for p in ref.parameters())
    head_only = sum(p.numel() for p in PixelShuffleHead(24, 1, scale).parameters())
    recon_ref = sum(p.numel() for m in (ref.reconstruction, ref.head) for p in m.parameters())
    assert n_net == n_ref - recon_ref + head_only
    out = net(torch.randn(1, 1, 5, 5), torch.randn(1, 3, 5 * scale, 5 * scale))
    assert out.shape == (1, 1, 5 * scale, 5 * scale)


def test_head_errors():
    with pytest.raises(ValueError, match="MoCoLSKNet needs a head here, but SKMBlock is of kind "
                                         "'neck'"):
        MoCoLSKNet(scale=2, guidance_channels=3, head=dict(type='SKMBlock'), **SMALL)
    with pytest.raises(TypeError, match='MoCoLSKNet needs a head derived from '
                                        'BaseReconstructionHead, found RegressionHead'):
        MoCoLSKNet(scale=2, guidance_channels=3, head=dict(type='RegressionHead'), **SMALL)
    with pytest.raises(ValueError, match=r'UpProjectionHead supports scales \(2, 4, 8\), found 3'):
        UpProjectionHead(8, 1, 3)
    with pytest.raises(ValueError, match='MoCoLSKNet sets scale=2 of its head'):
        MoCoLSKNet(scale=2, guidance_channels=3, head=dict(type='UpProjectionHead', scale=4),
                   **SMALL)


@pytest.mark.parametrize('cls, scale', [(UpProjectionHead, 2), (UpProjectionHead, 8),
                                        (PixelShuffleHead, 3), (PixelShuffleHead, 4)])
def test_reconstruction_heads_standalone(cls, scale):
    head = cls(6, 2, scale)
    assert isinstance(head, BaseReconstructionHead)
    x = torch.randn(2, 6, 5, 4)
    out = head(x)
    assert out.shape == (2, 2, 5 * scale, 4 * scale)
    torch.testing.assert_close(out, head.out(head.reconstruction(x)))


def test_regression_head_is_a_linear_layer_with_its_initialisation():
    torch.manual_seed(5)
    head = RegressionHead(7, 2)
    torch.manual_seed(5)
    ref = nn.Linear(7, 2)
    assert isinstance(head, nn.Linear) and list(head.state_dict()) == ['weight', 'bias']
    torch.testing.assert_close(head.weight, ref.weight, atol=0, rtol=0)
    x = torch.randn(3, 7)
    torch.testing.assert_close(head(x), x @ ref.weight.T + ref.bias)
    retriever = MODELS.build(dict(type='MLPRetriever', input_names=['bt:0', 'wvc'],
                                  target_names=['lst', 'lse:0']))
    assert isinstance(retriever.net.head, RegressionHead) and retriever.net.head.out_features == 2


# ----------------------------------------------------------------------------- neck swap
def _train_batch(scale, k, b=2, h=6):
    torch.manual_seed(1)
    lr = [290 + 5 * torch.randn(1, h, h) for _ in range(b)]
    guidance = [torch.randn(k, h * scale, h * scale) for _ in range(b)]
    samples = []
    for _ in range(b):
        s = LSTDataSample(metainfo=dict(scale=scale))
        s.gt_lst = 290 + 5 * torch.randn(1, h * scale, h * scale)
        s.gt_mask = torch.ones(1, h * scale, h * scale, dtype=torch.bool)
        samples.append(s)
    return dict(inputs=dict(lr=lr, guidance=guidance), data_samples=samples)


@pytest.mark.parametrize('generator, neck', [
    (dict(type='AHMF', num_feats=8, reduction=4, gru_layers=1), dict(type='MoCoLSKBlock')),
    (dict(type='AHMF', num_feats=8, reduction=4, gru_layers=1),
     [dict(type='MoCoLSKCSBlock', cs_min_dim=4), dict(type='SKMBlock', cs_min_dim=4),
      dict(type='LSKMBlock'), dict(type='IdentityFusion')]),
    (dict(type='MoCoLSKNet', block_types=None, **SMALL), dict(type='SKMBlock', cs_min_dim=4)),
], ids=['ahmf-mocolsk', 'ahmf-per-level', 'mocolsk-skm'])
def test_neck_swap_builds_trains_a_step_and_changes_the_output(generator, neck):
    scale, k = 4, 3
    common = dict(type='Downscaler', scale=scale, residual='bicubic',
                  lst_norm=dict(mean=290.0, std=5.0))
    gen = dict(generator, scale=scale, guidance_channels=k)
    torch.manual_seed(0)
    default = MODELS.build(dict(common, generator=gen))
    torch.manual_seed(0)
    swapped = MODELS.build(dict(common, generator=dict(gen, neck=neck)))
    stage_necks = (swapped.generator.fusions if generator['type'] == 'AHMF' else
                   [b.block for b in swapped.generator.bridges])
    expected = [neck['type']] * len(stage_necks) if isinstance(neck, dict) else \
        [n['type'] for n in neck]
    assert [type(m).__name__ for m in stage_necks] == expected
    data = _train_batch(scale, k)
    inputs = swapped.data_preprocessor(data, False)['inputs']
    default.eval(), swapped.eval()
    with torch.no_grad():
        before = swapped(inputs, mode='tensor')
        assert not torch.allclose(before, default(inputs, mode='tensor'))
    swapped.train()
    _open_ca_gates(swapped)
    params = {n: p.detach().clone() for n, p in swapped.named_parameters()}
    wrapper = OptimWrapper(torch.optim.Adam(swapped.parameters(), lr=1e-3))
    log_vars = swapped.train_step(data, wrapper)
    assert torch.isfinite(log_vars['loss'])
    changed = {n for n, p in swapped.named_parameters() if not torch.equal(p, params[n])}
    neck_params = {n for n in params if n.startswith('generator.fusions.')
                   or (n.startswith('generator.bridges.') and '.block.' in n)}
    assert neck_params and neck_params <= changed, sorted(neck_params - changed)[:5]
    swapped.eval()
    with torch.no_grad():
        assert not torch.allclose(swapped(inputs, mode='tensor'), before)
