"""GISR zoo, part B: PAC joint upsampling, DKN, FDKN, FDSR, AHMF, CODON, SUFT.

Shapes at x2/x4/x8 with K = 3 and K = 10 guidance bands, gradient flow to every parameter, the
pure-PyTorch PAC op (constant guidance = plain (transposed) conv, float64 gradcheck), the
deformable-kernel sampling (hand-computed averages and shifts) and the configs of these models.
"""
import glob
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config

from groklst.models.backbones.gisr.ahmf import ConvGRU, MultiModalAttention
from groklst.models.backbones.gisr.codon import CrossDomainAttention
from groklst.models.backbones.gisr.dkn import DKN, deformable_kernel_filter
from groklst.models.backbones.gisr.fdsr import OctaveConv
from groklst.models.backbones.gisr.suft import SymmetricUncertaintyTransmission
from groklst.models.layers.pac import (PacConv2d, PacConvTranspose2d, pac_conv2d,
                                       pac_gaussian_kernel)
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()

# Small widths / depths: every forward + backward below stays in the tens of milliseconds.
SMALL = {
    'PacJointUpsample': dict(n_t_filters=4, n_g_filters=4, n_f_filters=4, k_ch=2, f_sz_1=3,
                             f_sz_2=3),
    'DKN': dict(widths=(4, 4, 4)),
    'FDKN': dict(widths=(4, 4, 4)),
    'FDSR': dict(num_feats=8),
    'AHMF': dict(num_feats=8),
    'CODON': dict(num_feats=4, n_cross=2, n_fuse=1, reduction=2),
    'SUFT': dict(num_feats=4, n_resblocks=1, n_tail_groups=1, n_tail_blocks=1, reduction=2),
}
CONFIG_DIRS = {'PacJointUpsample': 'pac', 'DKN': 'dkn', 'FDKN': 'fdkn', 'FDSR': 'fdsr',
               'AHMF': 'ahmf', 'CODON': 'codon', 'SUFT': 'suft'}


def _build(name: str, scale: int, k: int) -> nn.Module:
    return MODELS.build(dict(type=name, scale=scale, guidance_channels=k, **SMALL[name]))


@pytest.mark.parametrize('name', sorted(SMALL))
def test_attributes(name):
    cls = MODELS.get(name)
    assert cls.uses_guidance is True
    assert cls.model_kind == 'gisr'
    assert tuple(cls.supported_scales) == (2, 4, 8)
    assert isinstance(cls.paper, str) and len(cls.paper) > 20
    with pytest.raises(ValueError, match='scale'):
        MODELS.build(dict(type=name, scale=3, guidance_channels=3, **SMALL[name]))


@pytest.mark.parametrize('name', sorted(SMALL))
@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('k', [3, 10])
def test_output_shape(name, scale, k):
    torch.manual_seed(0)
    net = _build(name, scale, k).eval()
    lr = torch.randn(2, 1, 4, 4)
    guidance = torch.randn(2, k, 4 * scale, 4 * scale)
    with torch.no_grad():
        out = net(lr, guidance)
    assert out.shape == (2, 1, 4 * scale, 4 * scale)
    assert torch.isfinite(out).all()
    assert net.guidance_channels == k
    with pytest.raises(ValueError, match='bands'):
        net(lr, torch.randn(2, k + 1, 4 * scale, 4 * scale))
    with pytest.raises(ValueError, match='expected'):
        net(lr, guidance[..., :-1, :])


@pytest.mark.parametrize('name', sorted(SMALL))
def test_gradients_reach_every_parameter(name):
    torch.manual_seed(0)
    net = _build(name, 2, 3).train()
    lr = torch.randn(2, 1, 8, 8)
    guidance = torch.randn(2, 3, 16, 16)
    net(lr, guidance).square().mean().backward()
    grads = {n: p.grad for n, p in net.named_parameters() if p.requires_grad}
    missing = [n for n, g in grads.items() if g is None]
    assert not missing, f'no gradient for {missing}'
    assert all(torch.isfinite(g).all() for g in grads.values())
    nonzero = sum(bool(g.abs().sum() > 0) for g in grads.values())
    assert nonzero >= 0.9 * len(grads), f'only {nonzero}/{len(grads)} nonzero gradients'


# ----------------------------------------------------------------------------------- PAC op


def test_pac_kernel_closed_form():
    """K_ij = exp(-|f_i - f_j|^2 / 2) on a 1-channel 1x3 guide, kernel 1x3, no padding."""
    guide = torch.tensor([[[[0.0, 1.0, 3.0]]]])
    kernel = pac_gaussian_kernel(guide, (1, 3))
    expected = torch.exp(-0.5 * torch.tensor([1.0, 0.0, 4.0]))
    assert kernel.shape == (1, 3, 1, 1)
    assert torch.allclose(kernel.flatten(), expected)


@pytest.mark.parametrize('stride,padding,dilation', [(1, 1, 1), (2, 1, 1), (1, 2, 2)])
def test_pac_conv_with_constant_guidance_equals_conv2d(stride, padding, dilation):
    torch.manual_seed(0)
    layer = PacConv2d(3, 4, 3, stride=stride, padding=padding, dilation=dilation)
    x = torch.randn(2, 3, 9, 9)
    guide = torch.full((2, 5, 9, 9), 0.7)
    ref = F.conv2d(x, layer.weight, layer.bias, stride, padding, dilation)
    out = layer(x, guide)
    assert out.shape == ref.shape
    assert torch.allclose(out, ref, atol=1e-5)


@pytest.mark.parametrize('kernel,stride,padding,output_padding',
                         [(5, 2, 2, 1), (3, 2, 1, 1), (3, 3, 0, 0)])
def test_pac_transposed_with_constant_guidance_equals_conv_transpose2d(
        kernel, stride, padding, output_padding):
    torch.manual_seed(0)
    layer = PacConvTranspose2d(3, 4, kernel, stride=stride, padding=padding,
                               output_padding=output_padding)
    x = torch.randn(2, 3, 6, 7)
    ref = F.conv_transpose2d(x, layer.weight, layer.bias, stride, padding, output_padding)
    out = layer(x, torch.full((2, 2, *ref.shape[-2:]), -1.3))
    assert out.shape == ref.shape
    assert torch.allclose(out, ref, atol=1e-5)
    with pytest.raises(ValueError, match='guide'):
        layer(x, torch.zeros(2, 2, 5, 5))


def test_pac_edge_in_guidance_blocks_mixing():
    """With a step edge of height 10 in the guide, a 3x3 box PAC does not mix across it."""
    x = torch.zeros(1, 1, 6, 6)
    x[..., 3:] = 1.0
    guide = 10.0 * x.clone()
    weight = torch.ones(1, 1, 3, 3)
    out = pac_conv2d(x, pac_gaussian_kernel(guide, 3, padding=1), weight, padding=1)
    # columns 2 and 3 touch the edge: exp(-50) ~ 2e-22 of the other side leaks in
    assert out[0, 0, 2:4, 2].abs().max() < 1e-12
    assert torch.allclose(out[0, 0, 2:4, 3], torch.full((2,), 6.0))


def test_pac_gradcheck_float64():
    torch.manual_seed(0)
    x = torch.randn(1, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    guide = torch.randn(1, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(2, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(2, dtype=torch.float64, requires_grad=True)

    def op(x, guide, weight, bias):
        return pac_conv2d(x, pac_gaussian_kernel(guide, 3, padding=1), weight, bias, padding=1)

    assert torch.autograd.gradcheck(op, (x, guide, weight, bias))


def test_pac_rejects_bad_shapes():
    with pytest.raises(ValueError, match='odd'):
        PacConv2d(1, 1, 4)
    with pytest.raises(ValueError, match='exceed'):
        PacConvTranspose2d(1, 1, 3, padding=3)
    with pytest.raises(ValueError, match='weight'):
        pac_conv2d(torch.zeros(1, 2, 4, 4), torch.ones(1, 9, 4, 4), torch.zeros(1, 3, 3, 3))


# ------------------------------------------------------------------------------ DKN / FDKN


def _uniform(b, n, h, w):
    return torch.full((b, n, h, w), 1.0 / n)


def test_deformable_filter_zero_offsets_uniform_weights_is_box_mean():
    """Zero offsets and weights 1/9 give the 3x3 mean with zero padding, checked by hand."""
    image = torch.arange(16.0).view(1, 1, 4, 4)
    out = deformable_kernel_filter(image, _uniform(1, 9, 4, 4), torch.zeros(1, 18, 4, 4))
    # centre pixel (1, 1): mean of rows 0..2, cols 0..2 = (0+1+2+4+5+6+8+9+10)/9 = 5
    assert out[0, 0, 1, 1].item() == pytest.approx(5.0, abs=1e-5)
    # corner (0, 0): only 0, 1, 4, 5 inside the image -> 10 / 9
    assert out[0, 0, 0, 0].item() == pytest.approx(10.0 / 9.0, abs=1e-5)
    ref = F.avg_pool2d(image, 3, stride=1, padding=1, count_include_pad=True)
    assert torch.allclose(out, ref, atol=1e-5)


def test_deformable_filter_offsets_shift_and_interpolate():
    image = torch.arange(25.0).view(1, 1, 5, 5)
    weight = torch.zeros(1, 9, 5, 5)
    weight[:, 4] = 1.0  # only the centre sample
    offset = torch.zeros(1, 18, 5, 5)
    offset[:, 9] = 1.0  # centre sample: dx = +1 -> value of the right neighbour
    out = deformable_kernel_filter(image, weight, offset)
    assert torch.allclose(out[0, 0, :, :4], image[0, 0, :, 1:])
    assert torch.allclose(out[0, 0, :, 4], torch.zeros(5))  # outside the image reads zero
    offset[:, 9] = 0.0
    offset[:, 8] = 0.5  # dy = +0.5 -> mean of this row and the next
    out = deformable_kernel_filter(image, weight, offset)
    assert torch.allclose(out[0, 0, :4], (image[0, 0, :4] + image[0, 0, 1:]) / 2)


def test_dkn_dense_kernel_net_matches_shift_and_stitch():
    """The dilated kernel network equals the original's 16 shifted strided passes."""
    torch.manual_seed(0)
    net = DKN(scale=2, guidance_channels=2, widths=(3, 3, 3)).eval()
    branch = net.image_kernel
    guide = torch.randn(1, 2, 8, 8)
    dense_w, dense_o = branch(F.pad(guide, (25, 24, 25, 24)))
    # strided copy of the same layers: stride-2 convs instead of dilation
    convs = [m for m in branch.body if isinstance(m, nn.Conv2d)]
    for i in range(4):
        for j in range(4):
            x = F.pad(guide, (25 - j, 22 + j, 25 - i, 22 + i))
            for m in branch.body:
                if isinstance(m, nn.Conv2d):
                    stride = 2 if m.kernel_size == (2, 2) else 1
                    x = F.conv2d(x, m.weight, m.bias, stride=stride)
                else:
                    x = m(x)
            w = torch.sigmoid(branch.weight_head(x))
            assert w.shape[-2:] == (2, 2)
            assert torch.allclose(w, dense_w[..., i::4, j::4], atol=1e-5)
            assert torch.allclose(branch.offset_head(x), dense_o[..., i::4, j::4], atol=1e-5)
    assert len(convs) == 7


@pytest.mark.parametrize('name', ['DKN', 'FDKN'])
def test_dkn_residual_weights_sum_to_zero(name):
    """Residual form: a constant LST gives a zero residual whatever the guidance (weights sum
    to zero, offsets only move samples inside a constant field away from the border)."""
    torch.manual_seed(0)
    net = _build(name, 2, 3).eval()
    lr = torch.full((1, 1, 8, 8), 2.5)
    with torch.no_grad():
        for m in net.modules():  # no offsets: every sample inside the constant interior
            if hasattr(m, 'offset_head'):
                m.offset_head.weight.zero_()
                m.offset_head.bias.zero_()
        out = net(lr, torch.randn(1, 3, 16, 16))
    assert out[..., 1:-1, 1:-1].abs().max() < 1e-5


# ----------------------------------------------------------------- FDSR, AHMF, CODON, SUFT


def test_octave_conv_splits_channels_and_resolution():
    torch.manual_seed(0)
    first = OctaveConv(8, 8, 0.0, 0.25)
    high, low = first(torch.randn(2, 8, 6, 6))
    assert high.shape == (2, 6, 6, 6) and low.shape == (2, 2, 3, 3)
    last = OctaveConv(8, 6, 0.25, 0.0)
    high, low = last(high, low)
    assert high.shape == (2, 6, 6, 6) and low is None
    # low -> high path: a low-only input reaches the high output as 2x2 constant blocks
    with torch.no_grad():
        last.high_to_high.weight.zero_()
    out, _ = last(torch.zeros(1, 6, 4, 4), torch.randn(1, 2, 2, 2))
    assert torch.equal(out[..., 0::2, 0::2], out[..., 1::2, 1::2])


def test_multimodal_attention_open_gates_halve_features():
    """MMAB with saturated gates (bias +50) returns (lst / 2, guide / 2), by hand."""
    mmab = MultiModalAttention(4, reduction=4)
    with torch.no_grad():
        for gate in (mmab.gate_lst, mmab.gate_guide):
            gate[0].weight.zero_()
            gate[0].bias.fill_(50.0)
    lst, guide = torch.randn(2, 4, 5, 5), torch.randn(2, 4, 5, 5)
    out_lst, out_guide = mmab(lst, guide)
    assert torch.allclose(out_lst, lst / 2) and torch.allclose(out_guide, guide / 2)


def test_conv_gru_closed_update_gate_keeps_zero_state():
    """z = sigmoid(-50) ~ 0: h' = (1 - z) h + z n stays at the zero initial state."""
    gru = ConvGRU(3, num_layers=2)
    with torch.no_grad():
        for cell in gru.cells:
            cell.update.weight.zero_()
            cell.update.bias.fill_(-50.0)
    states = gru([torch.randn(1, 3, 4, 4) for _ in range(3)])
    assert len(states) == 3 and all(s.abs().max() < 1e-12 for s in states)


def test_cross_domain_attention_range_and_shape():
    torch.manual_seed(0)
    att = CrossDomainAttention(6, reduction=4)(torch.randn(2, 6, 7, 7), torch.randn(2, 6, 7, 7))
    assert att.shape == (2, 6, 7, 7)
    assert att.min() > 0 and att.max() < 1


def test_suft_bridge_symmetry_and_flat_uncertainty():
    """(1) With both up-projections equal and mirror-symmetric, flipping commutes with them, so
    the two HR estimates agree (zero symmetric uncertainty). (2) A flat uncertainty map (zero
    7x7 weights) normalises to 0, and the bridge output no longer depends on the guidance.
    The output has C_l + C_g channels at LR."""
    torch.manual_seed(0)
    bridge = SymmetricUncertaintyTransmission(4, 3, scale=2)
    with torch.no_grad():
        for m in bridge.up.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                m.weight.copy_((m.weight + m.weight.flip(-1)) / 2)
    bridge.up_flipped.load_state_dict(bridge.up.state_dict())
    lst = torch.randn(1, 4, 6, 6)
    assert torch.allclose(bridge.up(lst), bridge.up_flipped(lst.flip(-1)).flip(-1), atol=1e-5)
    out = bridge(lst, torch.randn(1, 3, 12, 12))
    assert out.shape == (1, 7, 6, 6)
    with torch.no_grad():
        bridge.uncertainty.weight.zero_()
    assert torch.allclose(bridge(lst, torch.randn(1, 3, 12, 12)),
                          bridge(lst, torch.randn(1, 3, 12, 12)), atol=1e-6)


def test_fdsr_rejects_hr_not_divisible_by_unshuffle():
    net = _build('FDSR', 2, 3)
    with pytest.raises(ValueError, match='divisible'):
        net(torch.randn(1, 1, 5, 5), torch.randn(1, 3, 10, 10))


def test_codon_x2_is_the_x4_network_after_x2_bicubic():
    """CODON's body is scale independent: x2 and x4 models share every weight shape."""
    shapes = {s: {k: v.shape for k, v in _build('CODON', s, 3).state_dict().items()}
              for s in (2, 4, 8)}
    assert shapes[2] == shapes[4] == shapes[8]


# --------------------------------------------------------------------------------- configs


def _configs():
    return sorted(p for d in set(CONFIG_DIRS.values())
                  for p in glob.glob(osp.join(ROOT, 'configs', 'gisr', d, '*.py')))


def test_every_model_has_four_configs():
    for name, d in CONFIG_DIRS.items():
        files = sorted(osp.basename(p) for p in glob.glob(osp.join(ROOT, 'configs', 'gisr', d,
                                                                   '*.py')))
        assert files == sorted([f'{d}_x2_4xb1-10k_groklst.py', f'{d}_x4_4xb1-10k_groklst.py',
                                f'{d}_x8_4xb1-10k_groklst.py',
                                f'{d}_x4_1xb4-800it_landsat8-demo.py']), (name, files)


@pytest.mark.parametrize('path', _configs(), ids=osp.basename)
def test_config_generator_builds(path):
    cfg = Config.fromfile(path)
    gen = dict(cfg.model.generator)
    assert gen['scale'] == cfg.model.scale == cfg.train_dataloader.dataset.scale
    assert gen['guidance_channels'] == len(cfg.train_dataloader.dataset.guidance_bands)
    net = MODELS.build(gen)
    assert type(net).__name__ in CONFIG_DIRS
