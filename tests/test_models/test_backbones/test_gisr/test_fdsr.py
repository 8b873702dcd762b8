"""FDSR (He et al., CVPR 2021): octave convolution splits channels and resolution; the HR size
must be divisible by the pixel-unshuffle."""
import pytest
import torch

from groklst.models.backbones.gisr.fdsr import OctaveConv
from tests.test_models.test_backbones.small_settings import build_small


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


def test_fdsr_rejects_hr_not_divisible_by_unshuffle():
    net = build_small('FDSR', 2)
    with pytest.raises(ValueError, match='divisible'):
        net(torch.randn(1, 1, 5, 5), torch.randn(1, 3, 10, 10))
