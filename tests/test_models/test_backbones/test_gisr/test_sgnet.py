"""SGNet (Wang et al., AAAI 2024): the gradient magnitude of a ramp by hand; the invertible 1x1
convolution and its LU log-determinant."""
import torch

from groklst.models.backbones.gisr.sgnet import InvertibleConv1x1, gradient_magnitude


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
