"""The Modality-Conditioned Weight Generation pathway of MoCoLSK-Net
(groklst.models.backbones.mocolsk.mcwg)."""
import pytest
import torch

from groklst.models.backbones.mocolsk import MCWGPathway


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_mcwg_per_sample_weights_with_grad():
    mcwg = MCWGPathway(8, (2, 2, 3, 3))
    feat, guide = torch.randn(2, 8, 12, 12), torch.randn(2, 8, 12, 12)
    w = mcwg(feat, guide)
    assert w.shape == (2, 2, 2, 3, 3)
    assert w.requires_grad
    assert not torch.allclose(w[0], w[1])
    w.square().sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in mcwg.parameters())
