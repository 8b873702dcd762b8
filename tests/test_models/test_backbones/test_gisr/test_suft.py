"""SUFT (Shi et al., ACM MM 2022): the symmetric uncertainty-aware transmission bridge."""
import torch
import torch.nn as nn

from groklst.models.backbones.gisr.suft import SymmetricUncertaintyTransmission


def test_suft_bridge_symmetry_and_flat_uncertainty():
    """(1) With both up-projections equal and mirror-symmetric, flipping commutes with them, so
    the two HR estimates agree (zero symmetric uncertainty). (2) A flat uncertainty map (zero
    7x7 weights) normalises to 0, and the bridge output no longer depends on the guidance.
    The output has C_l + C_g channels at LR."""
    torch.manual_seed(0)
    bridge = SymmetricUncertaintyTransmission(4, 3, scale=2)
    with torch.no_grad():
        for m in bridge.up.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                m.weight.copy_((m.weight + m.weight.flip(-1)) / 2)
    bridge.up_flipped.load_state_dict(bridge.up.state_dict())
    lst = torch.randn(1, 4, 6, 6)
    assert torch.allclose(bridge.up(lst), bridge.up_flipped(lst.flip(-1)).flip(-1), atol=1e-5)
    out = bridge(lst, torch.randn(1, 3, 12, 12))
    assert out.shape == (1, 7, 6, 6)
    with torch.no_grad():
        bridge.uncertainty.weight.zero_()
    assert torch.allclose(bridge(lst, torch.randn(1, 3, 12, 12)),
                          bridge(lst, torch.randn(1, 3, 12, 12)), atol=1e-6)
