"""The configs of the SISR generators (``configs/sisr/<model>/``): every model has its GrokLST
x2/x4/x8 configs and its Landsat-8 demo config, each builds its generator through the
``Downscaler`` with the config's scale and statistics file, the residual follows the original
design, and a demo config of each residual kind predicts kelvin."""
import glob
import os

import pytest
import torch
from mmengine.config import Config

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT as REPO

register_all_modules()

#: Registered name -> folder under configs/sisr/.
MODEL_DIRS = {
    'SRCNN': 'srcnn', 'EDSR': 'edsr', 'RDN': 'rdn', 'RCAN': 'rcan', 'DBPN': 'dbpn', 'SAN': 'san',
    'SRFBN': 'srfbn', 'HAN': 'han', 'CTNet': 'ctnet', 'FeNet': 'fenet',
    'SwinIR': 'swinir', 'ACT': 'act', 'NGswin': 'ngswin', 'DCTLSA': 'dctlsa', 'OmniSR': 'omnisr',
    'SAFMN': 'safmn', 'EGASR': 'egasr', 'HAUNet': 'haunet', 'FENet': 'fenet-freq', 'CFGN': 'cfgn',
}


#: Generators whose constructors compute tensor values (not buildable on the meta device).
BUILT_WITH_VALUES = {'SwinIR', 'NGswin'}


def _configs(names=tuple(MODEL_DIRS)):
    found = []
    for name in names:
        files = sorted(glob.glob(os.path.join(REPO, 'configs', 'sisr', MODEL_DIRS[name], '*.py')))
        found += [pytest.param(name, f, id=os.path.basename(f)) for f in files]
    return found


def test_every_model_has_its_configs():
    for name, sub in MODEL_DIRS.items():
        names = {os.path.basename(f)
                 for f in glob.glob(os.path.join(REPO, 'configs', 'sisr', sub, '*.py'))}
        for s in (2, 4, 8):
            assert f'{sub}_x{s}_4xb1-10k_groklst.py' in names, (name, s)
        assert any(n.startswith(f'{sub}_x4_1xb4-') and n.endswith('landsat8-demo.py')
                   for n in names), name


@pytest.mark.parametrize('name,path', _configs())
def test_config_builds(name, path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model.to_dict()
    assert model_cfg['type'] == 'Downscaler'
    assert model_cfg['generator']['type'] == name
    assert model_cfg['generator']['scale'] == model_cfg['scale'] == cfg.scale
    assert model_cfg['lst_norm']['stats_file'] == cfg.stats_file
    model_cfg['lst_norm'] = dict(mean=300.0, std=5.0)
    # Paper-size models: build on the meta device (no memory, no init cost) where the
    # constructor computes no tensor values (the Swin models compute their attention masks and
    # relative-position indices); every config is also built for real by test_all_configs.py.
    with torch.device('cpu' if name in BUILT_WITH_VALUES else 'meta'):
        model = MODELS.build(model_cfg)
    assert type(model.generator).__name__ == name
    assert model.residual == model_cfg['residual']


RESIDUALS = {'SwinIR': None, 'ACT': None, 'NGswin': None, 'DCTLSA': None, 'OmniSR': None,
             'SAFMN': None, 'EGASR': 'bilinear', 'HAUNet': 'bilinear', 'FENet': 'bicubic',
             'CFGN': None}


@pytest.mark.parametrize('name,path', _configs(RESIDUALS))
def test_config_residual_matches_original_design(name, path):
    assert Config.fromfile(path).model.residual == RESIDUALS[name]


@pytest.mark.parametrize('sub', ['safmn', 'egasr', 'fenet-freq'])
def test_demo_config_predicts_kelvin(sub):
    """One model per residual kind (None, bilinear, bicubic) through the Downscaler."""
    path = os.path.join(REPO, 'configs', 'sisr', sub, f'{sub}_x4_1xb4-800it_landsat8-demo.py')
    model_cfg = Config.fromfile(path).model.to_dict()
    model_cfg['lst_norm'] = dict(mean=300.0, std=5.0)
    model = MODELS.build(model_cfg).eval()
    lr = 300.0 + 5.0 * torch.randn(1, 1, 8, 8)
    with torch.no_grad():
        pred = model(dict(lr=lr), mode='tensor')
    assert pred.shape == (1, 1, 32, 32) and torch.isfinite(pred).all()
    assert 250.0 < pred.mean().item() < 350.0
