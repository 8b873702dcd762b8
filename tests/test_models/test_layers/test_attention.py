"""Channel attention (groklst.models.layers.attention)."""
import pytest
import torch

from groklst.models.layers import CALayer


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_channel_attention_keeps_shape_small_width():
    # reduction larger than the width still leaves a 1-channel bottleneck
    layer = CALayer(8, reduction=16)
    x = torch.randn(2, 8, 5, 5)
    assert layer(x).shape == x.shape
