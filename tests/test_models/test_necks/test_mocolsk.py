"""The MoCoLSK family of Dai et al. (GrokLST, IEEE TGRS 2025): every ablation selectable by config.

Fusion blocks (MoCoLSK 'S', MoCoLSK-CS 'C', MoCoLSK-Ex, SK-M, LSK-M, LSK-CS-M, identity), per-stage
block sequences, large-kernel (K, D) decompositions, MCWG pooling, Dynamic MLP version / depth /
width, generated-kernel size, number of stages and width; plus the ablation configs.
"""
import glob
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

from groklst.models.backbones.mocolsk import (ChannelSelection, LSKChannelSelection,
                                              LSKSpatialSelection, MoCoLSKNet,
                                              PyramidPoolingTokens, block_type_neck,
                                              canonical_block_type)
from groklst.models.builder import build_part
from groklst.models.layers import CALayer
from groklst.models.necks import (IdentityFusion, LSKCSMBlock, LSKMBlock, MoCoLSKBlock,
                                  MoCoLSKCSBlock, MoCoLSKExBlock, SKMBlock)
from tests.fixtures.paths import ROOT

SMALL = dict(base_dim=8, num_stages=2, n_resblocks=1, reduction=4)
BLOCK_CLASSES = {
    'S': MoCoLSKBlock,
    'C': MoCoLSKCSBlock,
    'Ex': MoCoLSKExBlock,
    'SK-M': SKMBlock,
    'LSK-M': LSKMBlock,
    'LSK-CS-M': LSKCSMBlock,
    'identity': IdentityFusion,
}


def build_fusion_block(block_type, dim, **hyper):
    """The neck a ``block_types`` name stands for, built the way ``MoCoLSKNet`` builds it (its
    fusion hyper-parameters handed to the neck where the neck takes them)."""
    return build_part(block_type_neck(block_type), 'neck', dict(dim=dim), hyper)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _open_ca_gates(net):
    # A width-8 RCAB bottleneck has 2 ReLU units; a dead one legitimately gets zero gradient.
    for m in net.modules():
        if isinstance(m, CALayer):
            nn.init.constant_(m.gate[0].bias, 1.0)


@pytest.mark.parametrize('block_type', sorted(BLOCK_CLASSES))
def test_every_block_type_builds_runs_and_trains(block_type):
    scale = 2
    net = MoCoLSKNet(scale=scale, guidance_channels=3, block_types=block_type, **SMALL)
    for bridge in net.bridges:
        assert type(bridge.block) is BLOCK_CLASSES[block_type]
    _open_ca_gates(net)
    lr, gui = torch.randn(2, 1, 5, 5), torch.randn(2, 3, 5 * scale, 5 * scale)
    out = net(lr, gui)
    assert out.shape == (2, 1, 5 * scale, 5 * scale)
    torch.nn.functional.l1_loss(out, torch.randn_like(out)).backward()
    params = dict(net.named_parameters())
    missing = [n for n, p in params.items() if p.grad is None]
    bad = [n for n, p in params.items() if p.grad is not None and not torch.isfinite(p.grad).all()]
    zero = [n for n, p in params.items() if p.grad is not None and not p.grad.any()]
    assert not missing and not bad, (missing, bad)
    assert len(zero) <= 0.05 * len(params), zero
    fusion = [n for n in params if '.block.' in n]
    assert bool(fusion) == (block_type != 'identity')
    assert not [n for n in fusion if n in zero], 'a fusion-block parameter got zero gradient'


@pytest.mark.parametrize('scale, bands', [(2, 10), (4, 3), (8, 10)])
def test_all_block_types_at_every_scale(scale, bands):
    types = ('S', 'C', 'Ex', 'SK-M', 'LSK-M', 'LSK-CS-M', 'identity')
    net = MoCoLSKNet(scale=scale, guidance_channels=bands, base_dim=4, num_stages=len(types),
                     n_resblocks=1, block_types=types).eval()
    with torch.no_grad():
        out = net(torch.randn(1, 1, 4, 4), torch.randn(1, bands, 4 * scale, 4 * scale))
    assert out.shape == (1, 1, 4 * scale, 4 * scale) and torch.isfinite(out).all()


def test_per_stage_sequence_instantiates_the_right_class_per_stage():
    seq = ('C', 'S', 'C', 'C')
    net = MoCoLSKNet(scale=2, guidance_channels=3, base_dim=4, num_stages=4, n_resblocks=1,
                     block_types=seq)
    assert net.block_types == ('mocolsk-cs', 'mocolsk', 'mocolsk-cs', 'mocolsk-cs')
    assert [type(b.block) for b in net.bridges] == [BLOCK_CLASSES[t] for t in seq]
    # MoCoLSK-CS is not a subclass of MoCoLSK (and vice versa): the check above is exact.
    assert not isinstance(net.bridges[0].block, MoCoLSKBlock)
    mixed = MoCoLSKNet(scale=2, guidance_channels=3, base_dim=4, num_stages=3, n_resblocks=1,
                       block_types=['identity', 'sk-m', 'Ex'])
    assert [type(b.block) for b in mixed.bridges] == [IdentityFusion, SKMBlock, MoCoLSKExBlock]
    with torch.no_grad():
        assert mixed(torch.randn(1, 1, 8, 8), torch.randn(1, 3, 16, 16)).shape == (1, 1, 16, 16)


def test_block_type_errors_and_aliases():
    assert canonical_block_type('S') == canonical_block_type('MoCoLSK') == 'mocolsk'
    assert canonical_block_type('c') == canonical_block_type('MoCoLSK_CS') == 'mocolsk-cs'
    assert canonical_block_type('none') == 'identity'
    with pytest.raises(ValueError, match=r"unknown fusion block type 'X'"):
        MoCoLSKNet(scale=2, guidance_channels=3, block_types='X', **SMALL)
    with pytest.raises(ValueError, match=r'one entry per stage \(2\), found 3'):
        MoCoLSKNet(scale=2, guidance_channels=3, block_types=('S', 'C', 'S'), **SMALL)


def test_identity_baseline_has_no_fusion_parameters():
    ident = MoCoLSKNet(scale=2, guidance_channels=3, block_types='identity', **SMALL)
    full = MoCoLSKNet(scale=2, guidance_channels=3, block_types='S', **SMALL)
    assert all(sum(p.numel() for p in b.block.parameters()) == 0 for b in ident.bridges)
    n_ident = sum(p.numel() for p in ident.parameters())
    n_full = sum(p.numel() for p in full.parameters())
    n_blocks = sum(p.numel() for b in full.bridges for p in b.block.parameters())
    assert n_blocks > 0 and n_ident == n_full - n_blocks
    # the identity block returns the guidance features unchanged
    lst, gui = torch.randn(2, 8, 5, 5), torch.randn(2, 8, 5, 5)
    assert ident.bridges[0].block(lst, gui) is gui


@pytest.mark.parametrize('block_type', ['S', 'Ex', 'C'])
def test_generated_dynamic_weights_receive_gradients(block_type):
    """The predecessor froze the MCWG output in a new nn.Parameter, so it never trained."""
    block = build_fusion_block(block_type, 8, cs_min_dim=4)
    captured = []

    def keep(_module, _inputs, output):
        output.retain_grad()
        captured.append(output)

    block.mcwg.register_forward_hook(keep)
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    block(lst, gui).square().mean().backward()
    (weights, ) = captured
    assert weights.grad is not None and torch.isfinite(weights.grad).all()
    assert weights.grad[0].abs().sum() > 0 and weights.grad[1].abs().sum() > 0
    for name, p in block.mcwg.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_mocolsk_cs_and_ex_are_per_sample():
    for block_type in ('C', 'Ex'):
        block = build_fusion_block(block_type, 8).eval()
        lst, gui = torch.randn(3, 8, 10, 10), torch.randn(3, 8, 10, 10)
        lst[2] = 3 * lst[2] + 1
        with torch.no_grad():
            torch.testing.assert_close(block(lst, gui)[:1], block(lst[:1], gui[:1]),
                                       atol=1e-5, rtol=0)


def test_mocolsk_ex_exchanges_the_modalities():
    """Ex = LSK pathway on the guidance, attention multiplies the LST (same parameters as S)."""
    s = build_fusion_block('S', 8)
    ex = build_fusion_block('Ex', 8)
    ex.load_state_dict(s.state_dict())
    lst, gui = torch.randn(2, 8, 9, 9), torch.randn(2, 8, 9, 9)
    with torch.no_grad():
        kernel = s.mcwg(lst, gui)
        torch.testing.assert_close(ex(lst, gui), s.lsk(gui, kernel) * lst)
        torch.testing.assert_close(s(lst, gui), s.lsk(lst, kernel) * gui)


def test_channel_selection_hand_computation():
    sel = ChannelSelection(6, num_branches=3, reduction=2, min_dim=4)
    assert sel.squeeze_dim == 4  # max(6 // 2, 4)
    branches = [torch.randn(2, 6, 4, 4) for _ in range(3)]
    nn.init.zeros_(sel.heads.weight)
    nn.init.zeros_(sel.heads.bias)
    # equal logits -> softmax 1/3 per branch -> the mean of the branches
    torch.testing.assert_close(sel(branches), sum(branches) / 3)
    # a bias favouring branch 1 for every channel: weights e^5 / (e^5 + 2)
    with torch.no_grad():
        sel.heads.bias.view(3, 6)[1] = 5.0
    w = torch.exp(torch.tensor(5.0)) / (torch.exp(torch.tensor(5.0)) + 2)
    expected = w * branches[1] + (1 - w) / 2 * (branches[0] + branches[2])
    torch.testing.assert_close(sel(branches), expected)
    with pytest.raises(ValueError, match=r'condition must be \(2, 4\), found \(2, 5\)'):
        sel(branches, torch.zeros(2, 5))
    with pytest.raises(ValueError, match='expected 3 branch maps, found 2'):
        sel(branches[:2])


@pytest.mark.parametrize('kernels, radius', [
    (((3, 1), (5, 2)), 5),
    (((5, 1), (7, 3)), 11),
    (((5, 1), (7, 3), (9, 4)), 27),
    (((23, 1), ), 11),
])
def test_large_kernel_decomposition_receptive_field(kernels, radius):
    """The chained (K, D) kernels reach exactly sum((K - 1) * D) / 2 pixels (LSKNet, Table 3)."""
    size = 2 * radius + 7
    sel = LSKSpatialSelection(4, kernels, squeeze_kernel_size=1)
    assert len(sel.dw_convs) == sel.num_branches == len(kernels)
    x = torch.randn(1, 4, size, size)
    c = size // 2
    with torch.no_grad():
        base = sel(x)[0, :, c, c]
        for dist, changes in ((radius, True), (radius + 1, False)):
            y = x.clone()
            y[0, :, c, c + dist] += 10.0
            moved = (sel(y)[0, :, c, c] - base).abs().max().item()
            assert (moved > 1e-4) == changes, (dist, moved)


@pytest.mark.parametrize('kernels', [((3, 1), (5, 2)), ((5, 1), (7, 3), (9, 4)), ((23, 1), )])
@pytest.mark.parametrize('block_type', ['S', 'C', 'LSK-M', 'LSK-CS-M'])
def test_kernel_sequences_in_every_lsk_block(kernels, block_type):
    block = build_fusion_block(block_type, 8, lsk_kernels=kernels)
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    with torch.no_grad():
        assert block(lst, gui).shape == (2, 8, 12, 12)
    if block_type == 'S':
        assert block.mcwg.weight_shape == (len(kernels), 2, 3, 3)
    if block_type == 'C':
        assert block.lsk.kernels == kernels and block.lsk.select.num_branches == len(kernels)


def test_pooling_choices_hand_computation():
    x = torch.tensor([[1.0, 2.0], [3.0, 6.0]]).reshape(1, 1, 2, 2)
    expected = {'avg': 3.0, 'max': 6.0, 'avgmax': 4.5, 'ppm': 3.0}
    for pool_type, value in expected.items():
        tokens = PyramidPoolingTokens((1, ), pool_type)(x)
        assert tokens.shape == (1, 1, 1) and tokens.item() == value
    x = torch.randn(2, 3, 12, 12)
    torch.testing.assert_close(PyramidPoolingTokens((1, 2, 3, 6), 'ppm')(x),
                               PyramidPoolingTokens((1, 2, 3, 6), 'avg')(x))
    assert PyramidPoolingTokens((1, 2, 3, 6), 'ppm')(x).shape == (2, 50, 3)


@pytest.mark.parametrize('pool_type, pool_bins', [('avg', (1, )), ('max', (1, )),
                                                  ('avgmax', (1, )), ('ppm', (1, 2, 3, 6))])
@pytest.mark.parametrize('block_type', ['S', 'C'])
def test_pooling_choices_in_the_mcwg_pathway(pool_type, pool_bins, block_type):
    block = build_fusion_block(block_type, 8, pool_type=pool_type, pool_bins=pool_bins)
    assert block.mcwg.pool.pool_type == pool_type
    assert block.mcwg.pool.num_tokens == sum(b * b for b in pool_bins)
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    block(lst, gui).mean().backward()
    assert all(p.grad is not None for p in block.mcwg.parameters())


@pytest.mark.parametrize('mlp_type', ['a', 'b', 'c'])
@pytest.mark.parametrize('mlp_layers, mlp_hidden', [(1, 32), (2, 16), (3, 64)])
def test_dmlp_version_depth_and_width(mlp_type, mlp_layers, mlp_hidden):
    block = build_fusion_block('S', 8, mlp_type=mlp_type, mlp_layers=mlp_layers,
                               mlp_hidden=mlp_hidden)
    layers = block.mcwg.fusion.layers
    assert len(layers) == mlp_layers
    assert type(layers[0]).__name__ == f'DynamicMLP{mlp_type.upper()}'
    if mlp_layers > 1:
        assert layers[0].out_dim == mlp_hidden and layers[-1].in_dim == mlp_hidden
    lst, gui = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    with torch.no_grad():
        assert block(lst, gui).shape == (2, 8, 12, 12)


@pytest.mark.parametrize('k', [3, 5, 7])
def test_dynamic_weight_size(k):
    net = MoCoLSKNet(scale=2, guidance_channels=3, dynamic_kernel_size=k,
                     block_types=('S', 'Ex'), **SMALL)
    for bridge in net.bridges:
        assert bridge.block.mcwg.weight_shape == (2, 2, k, k)
    with torch.no_grad():
        assert net(torch.randn(1, 1, 8, 8), torch.randn(1, 3, 16, 16)).shape == (1, 1, 16, 16)


def test_number_of_stages_and_base_dim():
    net = MoCoLSKNet(scale=2, guidance_channels=10, base_dim=12, num_stages=3, n_resblocks=1,
                     block_types='C')
    assert len(net.bridges) == len(net.lst_groups) == 3
    assert net.head[0].in_channels == 4 * 12  # (num_stages + 1) * base_dim
    assert [b.block.dim for b in net.bridges] == [12, 12, 12]
    with torch.no_grad():
        assert net(torch.randn(1, 1, 4, 4), torch.randn(1, 10, 8, 8)).shape == (1, 1, 8, 8)


def test_lsk_channel_selection_condition_width():
    sel = LSKChannelSelection(40, ((5, 1), (7, 3)), reduction=2, min_dim=32)
    assert sel.condition_dim == 32  # max(40 // 2, 32)
    block = MoCoLSKCSBlock(16)
    assert block.mcwg.weight_shape == (32, )


# ----------------------------------------------------------------------------- configs
BASE = 'configs/mocolsk/mocolsk_x4_4xb1-10k_groklst.py'
DEMO = 'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py'
ABLATIONS = sorted(glob.glob(osp.join(ROOT, 'configs/mocolsk/ablations/*.py')))
DEMO_ABLATIONS = sorted(glob.glob(osp.join(ROOT, 'configs/mocolsk/demo-ablations/*.py')))


def _generator(path):
    return Config.fromfile(path).model.generator.to_dict()


@pytest.mark.parametrize('paths, base', [(ABLATIONS, BASE), (DEMO_ABLATIONS, DEMO)],
                         ids=['groklst', 'demo'])
def test_ablation_configs_inherit_and_are_distinct(paths, base):
    assert paths
    ref = _generator(osp.join(ROOT, base))
    seen = {}
    for path in paths:
        text = open(path).read()
        assert f"_base_ = ['../{osp.basename(base)}']" in text, path
        assert 'x4' in osp.basename(path)
        gen = _generator(path)
        changed = {k for k in set(gen) | set(ref) if gen.get(k) != ref.get(k)}
        # the demo reference row (MoCoLSK S with PPM) is the base model under its row name
        assert bool(changed) != ('mocolsk-s-ppm' in path), (path, changed)
        key = repr(sorted(gen.items()))
        assert key not in seen, f'{path} duplicates {seen.get(key)}'
        seen[key] = path


def test_demo_ablations_cover_the_required_rows():
    gens = {osp.basename(p): _generator(p) for p in DEMO_ABLATIONS}
    kinds = {canonical_block_type(g['block_types']) for g in gens.values()
             if isinstance(g.get('block_types'), str)}
    assert {'identity', 'sk-m', 'lsk-m', 'mocolsk', 'mocolsk-cs'} <= kinds
    assert any(isinstance(g.get('block_types'), (list, tuple))
               and len({canonical_block_type(t) for t in g['block_types']}) > 1
               for g in gens.values())
    assert any(g['pool_type'] == 'max' for g in gens.values())
    assert any(g['pool_type'] == 'ppm' for g in gens.values())
