"""Reconstruction heads (groklst.models.heads.reconstruction): DBPN up-projection + conv head,
pixel shuffle."""
import pytest
import torch

from groklst.models.heads import BaseReconstructionHead, PixelShuffleHead, UpProjectionHead


@pytest.mark.parametrize('cls, scale', [(UpProjectionHead, 2), (UpProjectionHead, 8),
                                        (PixelShuffleHead, 3), (PixelShuffleHead, 4)])
def test_reconstruction_heads_standalone(cls, scale):
    head = cls(6, 2, scale)
    assert isinstance(head, BaseReconstructionHead)
    x = torch.randn(2, 6, 5, 4)
    out = head(x)
    assert out.shape == (2, 2, 5 * scale, 4 * scale)
    torch.testing.assert_close(out, head.out(head.reconstruction(x)))
