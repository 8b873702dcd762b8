"""Tabular networks of the SFTL retrievers (groklst.models.retrievers.tabular_nets): shapes,
gradients, argument errors."""
import pytest
import torch

from groklst.models.retrievers.tabular_nets import TabularCNN1d, TabularTransformer


@pytest.mark.parametrize('net', [
    TabularTransformer(5, 2, dim=8, depth=2, num_heads=2),
    TabularCNN1d(5, 2, channels=(4, 6), kernel_size=3, hidden=8)])
def test_tabular_nets_shapes_and_gradients(net):
    torch.manual_seed(0)
    z = torch.randn(7, 5)
    out = net(z)
    assert out.shape == (7, 2)
    out.pow(2).sum().backward()
    for name, p in net.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    with pytest.raises(ValueError, match=r'expects \(B, 5\)'):
        net(torch.randn(7, 4))


def test_tabular_net_argument_errors():
    with pytest.raises(ValueError, match='divisible'):
        TabularTransformer(5, 1, dim=10, num_heads=4)
    with pytest.raises(ValueError, match='odd'):
        TabularCNN1d(5, 1, kernel_size=4)
    with pytest.raises(ValueError, match='positive'):
        TabularCNN1d(5, 1, channels=(4, 0))
