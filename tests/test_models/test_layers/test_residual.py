"""Residual blocks (groklst.models.layers.residual): ResBlock, RCAB, residual groups."""
import pytest
import torch
import torch.nn as nn

from groklst.models.layers import RCAB, ResBlock, ResidualGroup


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


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
