"""DBPN's dense up/down projection units (groklst.models.layers.projection)."""
import pytest
import torch

from groklst.models.layers import DenseProjection


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


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
