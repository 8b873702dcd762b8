"""The fusion-neck contract (groklst.models.necks.base): every registered neck fuses same-shape
LST and guidance features and trains; a neck swapped into a dual-branch generator from config
(MoCoLSKNet, AHMF) builds, trains a step and changes the output (the fusion modules of
MoCoLSK-Net, Dai et al., "GrokLST", IEEE TGRS 2025)."""
import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from groklst.models.builder import build_part
from groklst.models.layers import CALayer
from groklst.models.necks import BaseFusionNeck
from groklst.registry import MODELS
from groklst.structures import LSTDataSample

NECKS = ('MoCoLSKBlock', 'MoCoLSKCSBlock', 'MoCoLSKExBlock', 'SKMBlock', 'LSKMBlock',
         'LSKCSMBlock', 'IdentityFusion')
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


# ----------------------------------------------------------------------------- MoCoLSKNet


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
