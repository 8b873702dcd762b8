"""DJF and DJFR (Li, Huang, Ahuja and Yang, ECCV 2016): DJFR is the DJF network with a bicubic
residual."""
import os.path as osp

import torch
from mmengine.config import Config

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT
from tests.test_models.test_backbones.small_settings import SMALL

register_all_modules()


def test_djfr_is_djf_network_with_bicubic_residual_in_its_configs():
    djf = Config.fromfile(osp.join(ROOT, 'configs/gisr/djf/djf_x4_4xb1-10k_groklst.py'))
    djfr = Config.fromfile(osp.join(ROOT, 'configs/gisr/djfr/djfr_x4_4xb1-10k_groklst.py'))
    assert djf.model.residual is None and djfr.model.residual == 'bicubic'
    a = MODELS.build(dict(type='DJF', scale=2, guidance_channels=3, **SMALL['DJF'].kwargs))
    b = MODELS.build(dict(type='DJFR', scale=2, guidance_channels=3, **SMALL['DJF'].kwargs))
    b.load_state_dict(a.state_dict())
    lr, g = torch.randn(1, 1, 8, 8), torch.randn(1, 3, 16, 16)
    torch.testing.assert_close(a(lr, g), b(lr, g))
