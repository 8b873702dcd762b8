"""The configs of the GISR generators (``configs/gisr/<model>/``) and of the per-scene
PixTransform fit (``configs/classic/pixtransform-fit_*``): every model has exactly its GrokLST
x2/x4/x8 configs, its Landsat-8 demo config (and DJFR its GrokLST-settings configs) and a
README; each config builds its model with the dataset's K and scale and its statistics file;
the residual follows each paper."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()

#: Registered name -> folder under configs/gisr/.
MODEL_DIRS = {
    'DJF': 'djf', 'DJFR': 'djfr', 'MSGNet': 'msgnet', 'DGF': 'dgf', 'SVLRM': 'svlrm',
    'PixTransformNet': 'pixtransform', 'PacJointUpsample': 'pac', 'DKN': 'dkn', 'FDKN': 'fdkn',
    'FDSR': 'fdsr', 'AHMF': 'ahmf', 'CODON': 'codon', 'SUFT': 'suft', 'DCTNet': 'dctnet',
    'CUNet': 'cunet', 'DSRN': 'dsrn', 'PMBANet': 'pmba', 'DAGF': 'dagf', 'RSAG': 'rsag',
    'SGNet': 'sgnet',
}
#: The residual the Downscaler adds, following each paper: 'bicubic' where the paper's network
#: adds the bicubic-upsampled LR to its output (here the Downscaler adds it), None where the
#: network predicts the HR field itself.
RESIDUALS = {'DCTNet': None, 'CUNet': None, 'PMBANet': None, 'DSRN': 'bicubic',
             'DAGF': 'bicubic', 'RSAG': 'bicubic', 'SGNet': 'bicubic'}


def _configs():
    found = [(name, p) for name, d in MODEL_DIRS.items()
             for p in sorted(glob.glob(osp.join(ROOT, 'configs', 'gisr', d, '*.py')))]
    found += [('PixTransformFit', p)
              for p in sorted(glob.glob(osp.join(ROOT, 'configs/classic/pixtransform-fit_*.py')))]
    return [pytest.param(name, p, id=osp.relpath(p, ROOT)) for name, p in found]


def test_every_model_has_its_configs_and_readme():
    for name, d in MODEL_DIRS.items():
        names = sorted(osp.basename(p)
                       for p in glob.glob(osp.join(ROOT, 'configs/gisr', d, '*.py')))
        want = [f'{d}_x2_4xb1-10k_groklst.py', f'{d}_x4_4xb1-10k_groklst.py',
                f'{d}_x8_4xb1-10k_groklst.py', f'{d}_x4_1xb4-800it_landsat8-demo.py']
        if d == 'djfr':  # the GrokLST implementation's setting (its Table IX), see the README
            want += [f'{d}_groklst-settings_x{s}_4xb1-10k_groklst.py' for s in (2, 4, 8)]
        assert names == sorted(want), (name, names)
        assert osp.isfile(osp.join(ROOT, 'configs/gisr', d, 'README.md')), d
    assert len(glob.glob(osp.join(ROOT, 'configs/classic/pixtransform-fit_*.py'))) == 6


@pytest.mark.parametrize('name,path', _configs())
def test_config_builds_with_the_dataset_k_and_scale(name, path):
    cfg = Config.fromfile(path)
    model_cfg = cfg.model.to_dict()
    assert f'x{cfg.scale}' in osp.basename(path)
    gen = model_cfg.get('generator')
    if gen is not None:  # a learned generator inside the Downscaler
        assert gen['type'] == name
        assert gen['scale'] == model_cfg['scale'] == cfg.train_dataloader.dataset.scale
        assert gen['guidance_channels'] == len(cfg.train_dataloader.dataset.guidance_bands)
    if 'lst_norm' in model_cfg:  # the statistics come with the dataset
        assert model_cfg['lst_norm']['stats_file'] == cfg.stats_file
        model_cfg['lst_norm'] = dict(mean=300.0, std=5.0)
    # Paper-size models: built on the meta device here, for real by test_all_configs.py.
    with torch.device('meta'):
        model = MODELS.build(model_cfg)
    net = getattr(model, 'generator', model)
    assert type(net).__name__ == name
    assert model.scale == cfg.scale == cfg.test_dataloader.dataset.scale
    assert net.guidance_channels == len(cfg.guidance_bands)
    assert net.supported_scales == (2, 4, 8) and net.paper
    if name in RESIDUALS:
        assert cfg.model.residual == RESIDUALS[name]
