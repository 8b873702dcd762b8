"""DSRN (Guo et al., IEEE TIP 2019): a silent tail adds nothing to the bicubic LR."""
import torch

from tests.test_models.test_backbones.small_settings import build_small


def test_dsrn_residual_is_zero_for_a_silent_tail():
    # with a zero last conv the generator adds nothing to the bicubic LR the Downscaler adds
    net = build_small('DSRN', 2)
    with torch.no_grad():
        net.tail[-1].weight.zero_()
        net.tail[-1].bias.zero_()
        assert net(torch.randn(1, 1, 8, 8), torch.randn(1, 3, 16, 16)).abs().max() == 0
