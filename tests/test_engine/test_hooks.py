"""Hooks (groklst.engine.hooks): the RNG state travels through a checkpoint; the gradual
unfreezing hook resolves from a config in a fresh process."""
import os.path as osp

from tests.fixtures.paths import ROOT


def test_rng_state_hook_round_trips_torch_generator_through_a_checkpoint(tmp_path):
    """Dropout after a resume draws the same numbers as the uninterrupted run would have."""
    import torch
    from mmengine.config import Config

    from groklst.engine.hooks import RNGStateHook
    hook = RNGStateHook()
    torch.manual_seed(123)
    torch.rand(5)                       # advance the generator past the seed state
    ckpt = {}
    hook.before_save_checkpoint(None, ckpt)
    path = tmp_path / 'ckpt.pth'
    torch.save(ckpt, path)
    expected = torch.rand(4)            # what iteration N+1 would draw without a kill
    torch.manual_seed(0)                # a resumed process re-seeds
    hook.after_load_checkpoint(None, torch.load(path, weights_only=True))
    assert torch.equal(torch.rand(4), expected)
    torch.manual_seed(0)
    before = torch.get_rng_state()
    hook.after_load_checkpoint(None, {'meta': {}})   # old checkpoints: state untouched
    assert torch.equal(torch.get_rng_state(), before)
    cfg = Config.fromfile(osp.join(ROOT, 'configs/_base_/default_runtime.py'))
    assert dict(type='RNGStateHook') in cfg.custom_hooks
