import pytest
import torch

from groklst.apis import init_downscaler
from groklst.utils import register_all_modules
from tests.test_apis.scene_helpers import (_guided_cfg, _save_random_ckpt, _smooth_scene,
                                           _stats_file)

register_all_modules()


@pytest.fixture(scope='module')
def guided(tmp_path_factory):
    """``(model, lr, guidance)``: the tiny guided generator (random weights loaded from a
    checkpoint) and a 24 x 24 LR LST with its 3 x 96 x 96 guidance."""
    tmp = tmp_path_factory.mktemp('guided')
    lr, g = _smooth_scene()
    cfg = _guided_cfg(_stats_file(tmp, g))
    torch.manual_seed(0)
    model = init_downscaler(cfg, checkpoint=_save_random_ckpt(cfg, tmp))
    return model, lr, g
