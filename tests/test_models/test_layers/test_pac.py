"""Pixel-adaptive convolution (Su et al., CVPR 2019; groklst.models.layers.pac): the Gaussian
kernel in closed form, constant guidance = plain (transposed) convolution, no mixing across a
guidance edge, float64 gradcheck, bad shapes."""
import pytest
import torch
import torch.nn.functional as F

from groklst.models.layers.pac import (PacConv2d, PacConvTranspose2d, pac_conv2d,
                                       pac_gaussian_kernel)


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




# ----------------------------------------------------------------- FDSR, AHMF, CODON, SUFT


# --------------------------------------------------------------------------------- configs
