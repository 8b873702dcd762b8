"""Hooks (groklst.engine.hooks): the RNG state travels through a checkpoint; the gradual
unfreezing hook drives the schedule with the runner's iteration and resolves from a config in a
fresh process."""
import os.path as osp
import types

import torch

from groklst.engine.hooks import GradualUnfreezeHook
from groklst.models.finetune.strategies import count_parameters
from groklst.models.finetune.wrapper import FinetuneModel
from groklst.models.retrievers.mlp_retriever import MLPRetriever
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


# -- wrapper -----------------------------------------------------------------------------------
_STATS = dict(inputs={k: dict(mean=m, std=s) for k, m, s in
                      (('bt:0', 290.0, 10.0), ('wvc', 2.0, 1.0), ('lse:0', 0.97, 0.01))},
              targets=dict(lst=dict(mean=295.0, std=12.0)))


def _tiny_retriever(seed=0):
    """net.body.0: 3*8+8 = 32, net.body.2: 8*8+8 = 72, net.head: 8+1 = 9 (113)."""
    torch.manual_seed(seed)
    return MLPRetriever(['bt:0', 'wvc', 'lse:0'], ['lst'], hidden_sizes=(8, 8), norm=_STATS)


def test_gradual_hook_drives_the_schedule_with_runner_iter():
    wrapped = FinetuneModel(_tiny_retriever(), dict(strategy='gradual',
                                                    groups=['net.head', 'net.body.2',
                                                            'net.body.0'], interval=2))
    logs = []
    runner = types.SimpleNamespace(model=wrapped, iter=0, logger=types.SimpleNamespace(
        info=logs.append))
    hook = GradualUnfreezeHook()
    hook.before_train(runner)
    counts = []
    for it in range(6):
        runner.iter = it
        hook.before_train_iter(runner, it)
        counts.append(count_parameters(wrapped))
    # head 2*8*... see _tiny_retriever: head 8*1+1 = 9, body.2 8*8+8 = 72, body.0 3*8+8 = 32
    assert counts == [9, 9, 81, 81, 113, 113]
    assert len(logs) == 3
    # a plain model with the schedule given to the hook
    plain = _tiny_retriever()
    runner = types.SimpleNamespace(model=plain, iter=0, logger=types.SimpleNamespace(
        info=lambda s: None))
    hook = GradualUnfreezeHook(groups=['net.head', 'net.body.*'], interval=5)
    hook.before_train(runner)
    hook.before_train_iter(runner, 0)
    assert count_parameters(plain) == 9
    runner.iter = 5
    hook.before_train_iter(runner, 5)
    assert count_parameters(plain) == 113


def cli_commands(tmp, fixture):
    # run by the session's ``cli`` fixture first, in a process that has imported nothing of
    # groklst yet (see tests/conftest.py)
    code = (
        'import sys\n'
        'from mmengine.registry import HOOKS, DefaultScope\n'
        "DefaultScope.get_instance('finetune-test', scope_name='groklst')\n"
        "assert 'groklst.models' not in sys.modules\n"
        "hook = HOOKS.build(dict(type='GradualUnfreezeHook', groups=['head'], interval=3))\n"
        'print(type(hook).__module__, type(hook).__name__, hook.interval)\n')
    return {'fresh': ['-c', code]}


def test_gradual_unfreeze_hook_resolves_from_a_config_in_a_fresh_process(cli):
    """The Runner builds ``custom_hooks=[dict(type='GradualUnfreezeHook')]`` under
    ``default_scope='groklst'``: the hook lives inside the HOOKS registry's locations
    (``groklst.engine``), so nothing else has to be imported first."""
    code, out, err = cli[__name__]['fresh']
    assert code == 0, err
    assert out.split() == ['groklst.engine.hooks', 'GradualUnfreezeHook', '3']
