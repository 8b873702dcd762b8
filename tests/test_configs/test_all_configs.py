"""Every shipped downscaling config builds its model (for real, with the statistics replaced)
with consistent scales, selects on val and scores on test; every model folder under
``configs/*sr/`` has a README citing its paper and listing every config."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

MODEL_CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True))


def _model_cfg(path):
    cfg = Config.fromfile(path)
    model = cfg.model.to_dict()
    for m in (model, model.get('model') or {}):  # a FinetuneModel holds the downscaler in 'model'
        if 'lst_norm' in m:  # the stats file belongs to a dataset users build or download
            assert m['lst_norm']['stats_file'] == cfg.stats_file
            m['lst_norm'] = dict(mean=300.0, std=5.0)
    return cfg, model


def _is_retrieval(path):
    return '/configs/retrieval/' in path


@pytest.mark.parametrize('path', [p for p in MODEL_CONFIGS if '/_base_' not in p
                                  and not _is_retrieval(p)],
                         ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds_model_and_names_val_and_test(path):
    register_all_modules()
    cfg, model_cfg = _model_cfg(path)
    if model_cfg['type'] == 'FinetuneModel':  # fine-tuning wraps a downscaler: check the inner one
        model_cfg = dict(model_cfg, pretrained=None)
        model = MODELS.build(model_cfg).model
    else:
        model = MODELS.build(model_cfg)
    assert model.scale == cfg.scale == cfg.test_dataloader.dataset.scale
    # model selection on val, testing on test, never the other way round
    assert cfg.val_dataloader.dataset.split == 'val'
    assert cfg.test_dataloader.dataset.split == 'test'
    assert cfg.train_dataloader.dataset.split in ('train', 'trainval')
    k = 'x%d' % cfg.scale
    assert k in osp.basename(path)
    if getattr(model, 'generator', None) is not None and model.uses_guidance:
        assert model.generator.guidance_channels == len(cfg.guidance_bands)
    elif not hasattr(model, 'generator'):  # per-scene sharpener: K fixed or any (None)
        assert model.guidance_channels in (None, len(cfg.guidance_bands))


@pytest.mark.parametrize('folder', sorted(
    osp.relpath(d, ROOT) for d in glob.glob(osp.join(ROOT, 'configs', '*sr', '*', ''))),
    ids=lambda p: p)
def test_every_model_folder_has_a_readme_citing_its_paper(folder):
    """The paper citation of a model's configs lives once, in its README."""
    register_all_modules()
    name = osp.basename(folder.rstrip('/'))
    readme = osp.join(ROOT, folder, 'README.md')
    assert osp.isfile(readme), folder
    cfg = Config.fromfile(osp.join(ROOT, folder, f'{name}_x4_4xb1-10k_groklst.py'))
    text = open(readme).read()
    assert MODELS.get(cfg.model.generator.type).paper in text
    for path in glob.glob(osp.join(ROOT, folder, '*.py')):  # every config is in its table
        base = osp.basename(path)
        assert base in text or re.sub(r'_x[248]_4xb1', '_x{2,4,8}_4xb1', base) in text, path
