"""Shared window attention (groklst.models.layers.window_attention): window and grid
partitions, padding, shifted-window masks, window attention."""
import pytest
import torch

from groklst.models.layers import (WindowAttention, grid_partition, grid_reverse,
                                   pad_to_multiple, shifted_window_mask, window_partition,
                                   window_reverse)


@pytest.mark.parametrize('window', [4, (2, 3)])
def test_window_partition_round_trip(window):
    x = torch.randn(2, 8, 12, 5)
    win = window_partition(x, window)
    wh, ww = (window, window) if isinstance(window, int) else window
    assert win.shape == (2 * (8 // wh) * (12 // ww), wh, ww, 5)
    assert torch.equal(window_reverse(win, window, 8, 12), x)
    # The first window is the top-left block.
    assert torch.equal(win[0], x[0, :wh, :ww])


def test_grid_partition_round_trip_and_stride():
    x = torch.randn(2, 8, 12, 3)
    grp = grid_partition(x, (4, 3))
    assert grp.shape == (2 * 2 * 4, 4, 3, 3)
    assert torch.equal(grid_reverse(grp, (4, 3), 8, 12), x)
    # Group 0 samples the map with stride (8/4, 12/3) = (2, 4).
    assert torch.equal(grp[0], x[0, ::2, ::4])


def test_partition_rejects_indivisible_maps():
    with pytest.raises(ValueError, match='divisible'):
        window_partition(torch.randn(1, 7, 8, 2), 4)


def test_pad_to_multiple():
    x = torch.randn(1, 2, 5, 8)
    y, size = pad_to_multiple(x, 4)
    assert size == (5, 8) and y.shape == (1, 2, 8, 8)
    assert torch.equal(y[..., :5, :8], x)
    y, _ = pad_to_multiple(x, 4, min_size=16, mode='constant')
    assert y.shape == (1, 2, 16, 16) and not y[..., 5:, :].any()


def test_shifted_window_mask():
    mask = shifted_window_mask(8, 8, 4, 2)
    assert mask.shape == (4, 16, 16)
    assert not mask[0].any()  # the top-left window holds a single region
    assert (mask[-1] == -100).any()  # the bottom-right one mixes wrapped-around regions
    assert torch.equal(mask, mask.transpose(1, 2))


@pytest.mark.parametrize('cosine', [False, True])
def test_window_attention_shape(cosine):
    attn = WindowAttention(16, (4, 2), num_heads=3, cosine=cosine)  # inner width 15 != 16
    x = torch.randn(6, 8, 16)
    assert attn(x).shape == (6, 8, 16)
    mask = torch.zeros(3, 8, 8)
    assert attn(x, mask).shape == (6, 8, 16)
    with pytest.raises(ValueError):
        attn(torch.randn(6, 9, 16))
