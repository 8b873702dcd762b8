"""Unit tests of the shared layers in groklst.models.layers."""
import pytest
import torch
import torch.nn as nn

from groklst.models.backbones.mocolsk import (DynamicMLPFusion, LSKBlock, LSKSpatialSelection,
                                              MCWGPathway, PyramidPoolingTokens,
                                              build_dynamic_mlp, pyramid_pool_tokens)
from groklst.models.layers import (CALayer, DenseProjection, RCAB, ResBlock, ResidualGroup,
                                   build_activation, default_conv, per_sample_conv2d,
                                   projection_conv)
from groklst.models.necks import MoCoLSKBlock


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_default_conv_same_padding():
    x = torch.randn(2, 3, 9, 11)
    assert default_conv(3, 5, 3)(x).shape == (2, 5, 9, 11)
    assert default_conv(3, 3, 7, dilation=3, groups=3)(x).shape == (2, 3, 9, 11)
    assert default_conv(3, 5, 1, bias=False).bias is None
    with pytest.raises(ValueError, match='odd'):
        default_conv(3, 5, 4)


@pytest.mark.parametrize('scale', [2, 4, 8])
def test_projection_conv_shapes(scale):
    x = torch.randn(1, 4, 5, 6)
    up = projection_conv(4, 3, scale, up=True)(x)
    assert up.shape == (1, 3, 5 * scale, 6 * scale)
    assert projection_conv(3, 4, scale, up=False)(up).shape == x.shape


def test_projection_conv_bad_scale():
    with pytest.raises(ValueError, match='3'):
        projection_conv(4, 4, 3)


@pytest.mark.parametrize('scale', [2, 4, 8])
@pytest.mark.parametrize('bottleneck', [False, True])
def test_dense_projection_shapes(scale, bottleneck):
    x = torch.randn(2, 6, 4, 5)
    up = DenseProjection(6, 4, scale, up=True, bottleneck=bottleneck)
    hr = up(x)
    assert hr.shape == (2, 4, 4 * scale, 5 * scale)
    down = DenseProjection(4, 7, scale, up=False, bottleneck=bottleneck)
    assert down(hr).shape == (2, 7, 4, 5)


def test_dense_projection_bad_scale():
    with pytest.raises(ValueError, match='found 16'):
        DenseProjection(4, 4, 16)


def test_per_sample_conv_matches_individual_convs():
    x = torch.randn(3, 2, 7, 7)
    w = torch.randn(3, 4, 2, 3, 3, requires_grad=True)
    b = torch.randn(3, 4)
    out = per_sample_conv2d(x, w, b, padding=1)
    assert out.shape == (3, 4, 7, 7)
    for i in range(3):
        ref = nn.functional.conv2d(x[i:i + 1], w[i], b[i], padding=1)
        torch.testing.assert_close(out[i:i + 1], ref, atol=1e-5, rtol=1e-5)
    out.sum().backward()
    assert w.grad is not None and w.grad.abs().sum() > 0
    with pytest.raises(ValueError):
        per_sample_conv2d(x, torch.randn(2, 4, 2, 3, 3))


def test_channel_attention_keeps_shape_small_width():
    # reduction larger than the width still leaves a 1-channel bottleneck
    layer = CALayer(8, reduction=16)
    x = torch.randn(2, 8, 5, 5)
    assert layer(x).shape == x.shape


@pytest.mark.parametrize('act', ['ReLU', dict(type='LeakyReLU', negative_slope=0.2), None,
                                 nn.PReLU()])
def test_rcab_resblock_residual_group_keep_shape(act):
    x = torch.randn(2, 8, 6, 6)
    assert RCAB(8, 3, reduction=4, act_cfg=act)(x).shape == x.shape
    assert ResBlock(8, 3, act_cfg=act)(x).shape == x.shape
    group = ResidualGroup(8, n_blocks=3, reduction=4, act_cfg=act)
    assert group(x).shape == x.shape
    assert sum(isinstance(m, RCAB) for m in group.modules()) == 3


def test_residual_group_zero_blocks_and_errors():
    x = torch.randn(1, 4, 5, 5)
    assert ResidualGroup(4, n_blocks=0)(x).shape == x.shape
    with pytest.raises(ValueError):
        ResidualGroup(4, n_blocks=-1)


def test_build_activation():
    assert isinstance(build_activation('GELU'), nn.GELU)
    leaky = build_activation(dict(type='LeakyReLU', negative_slope=0.2))
    assert leaky.negative_slope == 0.2
    prelu = nn.PReLU()
    assert build_activation(prelu) is not prelu
    with pytest.raises(ValueError):
        build_activation('NotAnActivation')
    with pytest.raises(ValueError):
        build_activation(dict(negative_slope=0.1))


@pytest.mark.parametrize('pool_type', ['avg', 'max', 'avgmax'])
def test_pyramid_pooling_tokens(pool_type):
    pool = PyramidPoolingTokens((1, 2, 3, 6), pool_type)
    assert pool.num_tokens == 50
    x = torch.randn(2, 5, 12, 12)
    tokens = pool(x)
    assert tokens.shape == (2, 50, 5)
    if pool_type == 'avg':
        torch.testing.assert_close(tokens[:, 0], x.mean(dim=(2, 3)))
    elif pool_type == 'max':
        torch.testing.assert_close(tokens[:, 0], x.amax(dim=(2, 3)))


def test_pyramid_pooling_small_maps_and_errors():
    # maps smaller than the largest bin still give 50 tokens
    assert pyramid_pool_tokens(torch.randn(1, 3, 4, 4)).shape == (1, 50, 3)
    with pytest.raises(ValueError, match='pool_type'):
        PyramidPoolingTokens(pool_type='median')
    with pytest.raises(ValueError, match='bins'):
        PyramidPoolingTokens(bins=(0, 2))


@pytest.mark.parametrize('mlp_type', ['a', 'b', 'c', 'A'])
def test_dynamic_mlp_shapes(mlp_type):
    img, loc = torch.randn(2, 50, 8), torch.randn(2, 50, 6)
    layer = build_dynamic_mlp(mlp_type, 8, 12, 6)
    assert layer(img, loc).shape == (2, 50, 12)
    # also works on plain (B, C) vectors
    assert layer(img[:, 0], loc[:, 0]).shape == (2, 12)


@pytest.mark.parametrize('mlp_type', ['a', 'b', 'c'])
@pytest.mark.parametrize('num_layers', [1, 3])
def test_dynamic_mlp_fusion_shapes_and_no_batch_mixing(mlp_type, num_layers):
    fusion = DynamicMLPFusion(8, 36, loc_dim=6, hidden=16, num_layers=num_layers,
                              mlp_type=mlp_type).eval()
    img, loc = torch.randn(3, 50, 8), torch.randn(3, 50, 6)
    out = fusion(img, loc)
    assert out.shape == (3, 50, 36)
    torch.testing.assert_close(out[:1], fusion(img[:1], loc[:1]), atol=1e-5, rtol=1e-5)
    if num_layers == 3:
        assert len(fusion.layers) == 3


def test_dynamic_mlp_errors():
    with pytest.raises(ValueError, match="'d'"):
        build_dynamic_mlp('d', 4, 4, 4)
    with pytest.raises(ValueError, match='num_layers'):
        DynamicMLPFusion(4, 4, num_layers=0)
    with pytest.raises(ValueError, match='leading'):
        build_dynamic_mlp('a', 4, 4, 4)(torch.randn(2, 5, 4), torch.randn(2, 6, 4))


def test_lsk_static_and_dynamic():
    x = torch.randn(2, 8, 10, 10)
    assert LSKBlock(8)(x).shape == x.shape
    sel = LSKSpatialSelection(8, kernels=((3, 1), (5, 2), (7, 3)), squeeze_kernel_size=3,
                              dynamic=True)
    assert sel.squeeze_weight_shape == (3, 2, 3, 3)
    w = torch.randn(2, 3, 2, 3, 3)
    assert sel(x, w).shape == x.shape
    assert sel(x, w[0]).shape == x.shape  # one kernel shared by the batch
    with pytest.raises(ValueError, match='squeeze_weight'):
        sel(x)
    with pytest.raises(ValueError, match='squeeze_weight'):
        sel(x, torch.randn(2, 2, 2, 3, 3))


def test_mcwg_per_sample_weights_with_grad():
    mcwg = MCWGPathway(8, (2, 2, 3, 3))
    feat, guide = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    w = mcwg(feat, guide)
    assert w.shape == (2, 2, 2, 3, 3)
    assert w.requires_grad
    assert not torch.allclose(w[0], w[1])
    w.square().sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in mcwg.parameters())


def test_mocolsk_block_shape_grad_and_errors():
    block = MoCoLSKBlock(8)
    lst = torch.randn(2, 8, 12, 12, requires_grad=True)
    gui = torch.randn(2, 8, 12, 12)
    out = block(lst, gui)
    assert out.shape == (2, 8, 12, 12)
    out.square().mean().backward()
    for name, p in block.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    with pytest.raises(ValueError, match='MoCoLSKBlock'):
        block(lst, torch.randn(2, 8, 6, 6))
