"""The configs of the classical sharpeners (``configs/classic/``): the scale of the model and
its dataset agree, the guidance stays raw (no normalization step), the band names reach the
model."""
import os.path as osp

import pytest

from groklst.utils import register_all_modules
from tests.fixtures.paths import ROOT

register_all_modules()


@pytest.mark.parametrize('method', ['tsharp', 'distrad', 'dms'])
@pytest.mark.parametrize('dataset', ['landsat8-demo', 'groklst'])
def test_classic_configs_scale_and_raw_guidance(method, dataset):
    from mmengine.config import Config

    from groklst.registry import MODELS
    for s in (2, 4, 8):
        cfg = Config.fromfile(osp.join(ROOT, f'configs/classic/{method}_x{s}_{dataset}.py'))
        ds = cfg.test_dataloader.dataset
        assert cfg.model.scale == ds.scale == s
        assert [t['type'] for t in ds.pipeline] == ['LoadLSTSample', 'PackLSTInputs']
        model = MODELS.build(cfg.model)
        assert model.guidance_bands == list(ds.guidance_bands) and model.scale == s
        if method == 'dms':
            assert model.window_size * s == 64
