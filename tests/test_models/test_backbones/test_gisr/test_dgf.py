"""DGF (Wu et al., CVPR 2018): without its LR network it is the fast guided filter of its
guide map; the learned-box (conv) filter variant."""
import pytest
import torch
import torch.nn.functional as F

from groklst.models.layers.guided_filter import fast_guided_filter
from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.test_models.test_backbones.small_settings import SMALL, ZERO_GRAD_EXCLUSIONS, wake_up

register_all_modules()


@pytest.mark.parametrize('k', [3, 10])
@pytest.mark.parametrize('scale', [2, 4, 8])
def test_conv_filter_variant_shape_and_gradients(scale, k):
    """``filter_type='conv'`` (the learned box of ConvGuidedFilter), beside the registry test's
    default setting."""
    torch.manual_seed(0)
    net = MODELS.build(dict(type='DGF', scale=scale, guidance_channels=k, filter_type='conv',
                            **SMALL['DGF'].kwargs))
    wake_up(net)
    lr, guidance = torch.randn(2, 1, 8, 8), torch.randn(2, k, 8 * scale, 8 * scale)
    out = net(lr, guidance)
    assert out.shape == (2, 1, 8 * scale, 8 * scale) and out.dtype == torch.float32
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    params = dict(net.named_parameters())
    missing = [n for n, p in params.items() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, missing
    zero = [n for n, p in params.items() if not p.grad.any()]
    assert set(zero) <= set(ZERO_GRAD_EXCLUSIONS['DGF']), zero


def test_dgf_without_lr_network_is_the_fast_guided_filter_of_its_guide_map():
    net = MODELS.build(dict(type='DGF', scale=4, guidance_channels=3, lr_depth=0,
                            guide_hidden=4)).eval()
    lr, g = torch.randn(1, 1, 8, 8), torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        want = fast_guided_filter(net.guide_map(F.avg_pool2d(g, 4)), lr, net.guide_map(g), 1,
                                  1e-4)
        torch.testing.assert_close(net(lr, g), want)
