"""Omni-SR (Wang et al., CVPR 2023): options beyond the registry test's small setting."""
import torch

from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()


def test_without_positional_encoding():
    net = MODELS.get('OmniSR')(scale=4, num_feat=8, res_num=1, window_size=4, with_pe=False)
    assert net(torch.randn(1, 1, 9, 7)).shape == (1, 1, 36, 28)
