"""CFGN (Dai et al.): options beyond the registry test's small setting."""
import torch

from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()


def test_plain_residual_blocks_without_activation():
    net = MODELS.get('CFGN')(scale=4, n_feats=8, n_resgroups=1, block_type='srb',
                             act='identity')
    assert net(torch.randn(1, 1, 9, 7)).shape == (1, 1, 36, 28)
