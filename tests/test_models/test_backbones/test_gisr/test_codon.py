"""CODON (Yang et al., IJCV 2022): cross-domain attention; the body is scale independent."""
import torch

from groklst.models.backbones.gisr.codon import CrossDomainAttention
from tests.test_models.test_backbones.small_settings import build_small


def test_cross_domain_attention_range_and_shape():
    torch.manual_seed(0)
    att = CrossDomainAttention(6, reduction=4)(torch.randn(2, 6, 7, 7), torch.randn(2, 6, 7, 7))
    assert att.shape == (2, 6, 7, 7)
    assert att.min() > 0 and att.max() < 1


def test_codon_x2_is_the_x4_network_after_x2_bicubic():
    """CODON's body is scale independent: x2 and x4 models share every weight shape."""
    shapes = {s: {k: v.shape for k, v in build_small('CODON', s).state_dict().items()}
              for s in (2, 4, 8)}
    assert shapes[2] == shapes[4] == shapes[8]
