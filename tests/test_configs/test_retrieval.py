"""The retrieval configs (``configs/retrieval/``) name registered models, the val and test
splits and the retrieval metric (the models need their training set's statistics to build:
they are built by the retrieval tests)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from groklst.registry import MODELS
from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

RETRIEVAL_CONFIGS = sorted(p for p in glob.glob(osp.join(ROOT, 'configs', 'retrieval', '**',
                                                         '*.py'), recursive=True)
                           if '/_base_' not in p)


@pytest.mark.parametrize('path', RETRIEVAL_CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_retrieval_config_names_a_registered_model_and_val_test_splits(path):
    """Retrieval models need their training set's statistics to build (tests of their own)."""
    register_all_modules()
    cfg = Config.fromfile(path)
    inner = cfg.model.get('model', cfg.model)
    assert MODELS.get(cfg.model.type) is not None and MODELS.get(inner['type']) is not None
    assert cfg.val_dataloader.dataset.split == 'val'
    assert cfg.test_dataloader.dataset.split == 'test'
    assert cfg.train_dataloader.dataset.split == 'train'
    assert cfg.val_evaluator.type == cfg.test_evaluator.type == 'RetrievalMetric'
