"""Pyramid pooling into tokens (groklst.models.backbones.mocolsk.pooling; PSPNet's bins)."""
import pytest
import torch

from groklst.models.backbones.mocolsk import PyramidPoolingTokens, pyramid_pool_tokens


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


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
