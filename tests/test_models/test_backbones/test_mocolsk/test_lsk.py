"""LSK spatial selection (Li et al., ICCV 2023), SK channel selection (Li et al., CVPR 2019) and
LSK-CS (groklst.models.backbones.mocolsk.lsk): hand computations and receptive fields."""
import pytest
import torch
import torch.nn as nn

from groklst.models.backbones.mocolsk import (ChannelSelection, LSKBlock, LSKChannelSelection,
                                              LSKSpatialSelection)
from groklst.models.necks import MoCoLSKCSBlock


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_channel_selection_hand_computation():
    sel = ChannelSelection(6, num_branches=3, reduction=2, min_dim=4)
    assert sel.squeeze_dim == 4  # max(6 // 2, 4)
    branches = [torch.randn(2, 6, 4, 4) for _ in range(3)]
    nn.init.zeros_(sel.heads.weight)
    nn.init.zeros_(sel.heads.bias)
    # equal logits -> softmax 1/3 per branch -> the mean of the branches
    torch.testing.assert_close(sel(branches), sum(branches) / 3)
    # a bias favouring branch 1 for every channel: weights e^5 / (e^5 + 2)
    with torch.no_grad():
        sel.heads.bias.view(3, 6)[1] = 5.0
    w = torch.exp(torch.tensor(5.0)) / (torch.exp(torch.tensor(5.0)) + 2)
    expected = w * branches[1] + (1 - w) / 2 * (branches[0] + branches[2])
    torch.testing.assert_close(sel(branches), expected)
    with pytest.raises(ValueError, match=r'condition must be \(2, 4\), found \(2, 5\)'):
        sel(branches, torch.zeros(2, 5))
    with pytest.raises(ValueError, match='expected 3 branch maps, found 2'):
        sel(branches[:2])


@pytest.mark.parametrize('kernels, radius', [
    (((3, 1), (5, 2)), 5),
    (((5, 1), (7, 3)), 11),
    (((5, 1), (7, 3), (9, 4)), 27),
    (((23, 1), ), 11),
])
def test_large_kernel_decomposition_receptive_field(kernels, radius):
    """The chained (K, D) kernels reach exactly sum((K - 1) * D) / 2 pixels (LSKNet, Table 3)."""
    size = 2 * radius + 7
    sel = LSKSpatialSelection(4, kernels, squeeze_kernel_size=1)
    assert len(sel.dw_convs) == sel.num_branches == len(kernels)
    x = torch.randn(1, 4, size, size)
    c = size // 2
    with torch.no_grad():
        base = sel(x)[0, :, c, c]
        for dist, changes in ((radius, True), (radius + 1, False)):
            y = x.clone()
            y[0, :, c, c + dist] += 10.0
            moved = (sel(y)[0, :, c, c] - base).abs().max().item()
            assert (moved > 1e-4) == changes, (dist, moved)


def test_lsk_channel_selection_condition_width():
    sel = LSKChannelSelection(40, ((5, 1), (7, 3)), reduction=2, min_dim=32)
    assert sel.condition_dim == 32  # max(40 // 2, 32)
    block = MoCoLSKCSBlock(16)
    assert block.mcwg.weight_shape == (32, )


def test_lsk_static_and_dynamic():
    x = torch.randn(2, 8, 10, 10)
    assert LSKBlock(8)(x).shape == x.shape
    sel = LSKSpatialSelection(8, kernels=((3, 1), (5, 2), (7, 3)), squeeze_kernel_size=3,
                              dynamic=True)
    assert sel.squeeze_weight_shape == (3, 2, 3, 3)
    w = torch.randn(2, 3, 2, 3, 3)
    assert sel(x, w).shape == x.shape
    assert sel(x, w[0]).shape == x.shape  # one kernel shared by the batch
    with pytest.raises(ValueError, match='squeeze_weight'):
        sel(x)
    with pytest.raises(ValueError, match='squeeze_weight'):
        sel(x, torch.randn(2, 2, 2, 3, 3))
