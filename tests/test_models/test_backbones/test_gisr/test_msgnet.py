"""MSG-Net (Hui, Loy and Tang, ECCV 2016): the Gaussian low-frequency path."""
import pytest
import torch

from groklst.models.backbones.gisr.msgnet import GaussianLowPass
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()


def test_msgnet_low_frequency_path():
    """The Gaussian keeps constants; with the main branch silenced MSG-Net returns the
    low-pass of the bicubic LR, so a constant LR field comes back unchanged."""
    lp = GaussianLowPass(7, 2.0)
    torch.testing.assert_close(lp(torch.full((1, 2, 5, 5), 4.0)), torch.full((1, 2, 5, 5), 4.0))
    assert lp.kernel.sum() == pytest.approx(1.0)
    net = MODELS.build(dict(type='MSGNet', scale=4, guidance_channels=3, blur_kernel=5,
                            blur_sigma=1.0))
    with torch.no_grad():
        net.reconstruct[-1].weight.zero_()
        net.reconstruct[-1].bias.zero_()
    lr = torch.randn(1, 1, 8, 8)
    out = net(lr, torch.randn(1, 3, 32, 32))
    torch.testing.assert_close(out, net.low_pass(interpolate_lr(lr, 4, 'bicubic')))
    const = net(torch.full((1, 1, 8, 8), 0.7), torch.randn(1, 3, 32, 32))
    torch.testing.assert_close(const, torch.full_like(const, 0.7), atol=1e-5, rtol=0)
