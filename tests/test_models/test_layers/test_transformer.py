"""Shared transformer blocks (groklst.models.layers.transformer): Swin block, multi-head
attention, LayerNorm2d."""
import torch

from groklst.models.layers import LayerNorm2d, MultiHeadAttention, SwinTransformerBlock


def test_swin_block_and_helpers_shapes():
    blk = SwinTransformerBlock(8, num_heads=2, window_size=4, shift_size=2, mlp_ratio=2)
    x = torch.randn(2, 8 * 12, 8)
    assert blk(x, (8, 12)).shape == x.shape
    mha = MultiHeadAttention(8, num_heads=2, head_dim=4)
    assert mha(torch.randn(2, 5, 8), torch.randn(2, 7, 8)).shape == (2, 5, 8)
    ln = LayerNorm2d(4)
    y = ln(torch.randn(2, 4, 3, 3) * 5 + 2)
    assert torch.allclose(y.mean(1), torch.zeros(2, 3, 3), atol=1e-5)
