"""SVLRM (Pan et al., CVPR 2019): the output is a spatially variant linear model of the
guidance."""
import torch

from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()


def test_svlrm_output_is_linear_in_the_guidance():
    """Constant coefficient maps (last conv: zero weights, bias = (a_1..a_K, b)) give
    sum_k a_k G_k + b exactly."""
    net = MODELS.build(dict(type='SVLRM', scale=2, guidance_channels=3, channels=8,
                            num_layers=3))
    coef = torch.tensor([0.5, -2.0, 1.5, 0.25])
    with torch.no_grad():
        net.coefficients[-1].weight.zero_()
        net.coefficients[-1].bias.copy_(coef)
    g = torch.randn(2, 3, 16, 16)
    out = net(torch.randn(2, 1, 8, 8), g)
    want = (coef[:3].view(1, 3, 1, 1) * g).sum(1, keepdim=True) + coef[3]
    torch.testing.assert_close(out, want)
