"""Convolution helpers (groklst.models.layers.conv): same padding, DBPN projection convs,
per-sample convolution."""
import pytest
import torch
import torch.nn as nn

from groklst.models.layers import default_conv, per_sample_conv2d, projection_conv


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
