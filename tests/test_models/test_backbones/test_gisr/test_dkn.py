"""DKN and FDKN (Kim, Ponce and Ham, IJCV 2021): the deformable kernel filter by hand, the dense
kernel network against the original's shift-and-stitch passes, residual weights summing to
zero."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.gisr.dkn import DKN, deformable_kernel_filter
from tests.test_models.test_backbones.small_settings import build_small


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
    net = build_small(name, 2).eval()
    lr = torch.full((1, 1, 8, 8), 2.5)
    with torch.no_grad():
        for m in net.modules():  # no offsets: every sample inside the constant interior
            if hasattr(m, 'offset_head'):
                m.offset_head.weight.zero_()
                m.offset_head.bias.zero_()
        out = net(lr, torch.randn(1, 3, 16, 16))
    assert out[..., 1:-1, 1:-1].abs().max() < 1e-5
