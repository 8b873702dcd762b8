"""SwinIR (Liang et al., ICCVW 2021): options beyond the registry test's small setting."""
import torch

from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()


def test_pixelshuffledirect_upsampler_and_3conv_connection():
    net = MODELS.get('SwinIR')(scale=4, embed_dim=16, depths=(2, ), num_heads=(2, ),
                               window_size=4, upsampler='pixelshuffledirect',
                               resi_connection='3conv')
    assert net(torch.randn(1, 1, 9, 7)).shape == (1, 1, 36, 28)
