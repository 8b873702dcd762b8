"""The GrokLST-settings configs (``configs/{sisr,gisr}/<model>/<model>_groklst-settings_x*``)
reproduce the parameter counts of the GrokLST implementation behind its Table IX."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT


# GrokLST's Table IX (Dai et al., IEEE TGRS 2025) was produced with the GrokLST implementation,
# whose settings differ from the papers' for these seven models. Parameter counts of that
# implementation: GrokCV/GrokLST at commit d5c4740, `configs/{sisr,gisr}/<model>/<model>_x{2,4,8}
# _4xb1-10k_groklst.py`, each generator of `groklst/models/editors/<model>/` built standalone with
# its config's arguments (sum of parameter numel), x2 / x4 / x8.
GROKLST_PARAMS = {
    'sisr/han': (63603807, 64194143, 64784479),
    'sisr/haunet': (8983710, 9003162, 9080970),
    'sisr/omnisr': (2827716, 2834640, 2862336),
    'sisr/srfbn': (279536, 480240, 1053680),
    'sisr/srcnn': (8129, 8129, 8129),
    'gisr/djfr': (136295, 136295, 136295),
    'sisr/cfgn': (528520, 533716, 554500),
}


def _generator_params(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    with torch.device('meta'):
        net = MODELS.build(cfg.model.generator.to_dict())
    return cfg, sum(p.numel() for p in net.parameters())


@pytest.mark.parametrize('folder', sorted(GROKLST_PARAMS))
@pytest.mark.parametrize('scale', [2, 4, 8])
def test_groklst_settings_configs_have_the_groklst_parameter_counts(folder, scale):
    register_all_modules()
    name = folder.split('/')[1]
    expected = GROKLST_PARAMS[folder][(2, 4, 8).index(scale)]
    cfg, n = _generator_params(
        f'configs/{folder}/{name}_groklst-settings_x{scale}_4xb1-10k_groklst.py')
    assert n == expected
    assert cfg.scale == cfg.model.scale == cfg.model.generator.scale == scale
    assert cfg.test_dataloader.dataset.scale == scale
    # the papers' configs beside them are a different setting
    paper_cfg, n_paper = _generator_params(f'configs/{folder}/{name}_x{scale}_4xb1-10k_groklst.py')
    assert n_paper != expected
    assert paper_cfg.model.residual == cfg.model.residual
