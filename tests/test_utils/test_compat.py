"""Checkpoint key layouts (DDP, single process, GrokLST/MMagic per-child DDP) load everywhere."""
from collections import OrderedDict

import pytest
import torch
from torch import nn

import groklst  # noqa: F401  (installs the MMEngine patches)
from groklst.utils.compat import adapt_state_dict_keys


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Conv2d(1, 4, 3, padding=1)
        self.body = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4))
        self.tail = nn.Conv2d(4, 1, 3, padding=1)


class Model(nn.Module):
    """Layout of a groklst ``Downscaler``: ``generator.*`` plus LST statistics buffers."""

    def __init__(self):
        super().__init__()
        self.generator = Generator()
        self.register_buffer('lst_mean', torch.tensor(0.0))
        self.register_buffer('lst_std', torch.tensor(1.0))


class Wrapper(nn.Module):
    """What DDP does to key names: the wrapped model under ``module``."""

    def __init__(self, module):
        super().__init__()
        self.module = module


def _random_state(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    return OrderedDict((k, torch.randn(v.shape, generator=g) if v.is_floating_point() else
                        v.clone() + 3) for k, v in model.state_dict().items())


def _prefixed(state, fn):
    return OrderedDict((fn(k), v) for k, v in state.items())


def _assert_loaded(model, reference):
    got = model.state_dict()
    assert set(got) == set(reference)
    for k, v in reference.items():
        assert torch.equal(got[k], v), k


def _ddp_keys(k):
    return 'module.' + k


def _grokLST_keys(k):
    return k.replace('generator.', 'generator.module.', 1)


@pytest.mark.parametrize('layout', [_ddp_keys, _grokLST_keys,
                                    lambda k: 'module.' + _grokLST_keys(k)],
                         ids=['ddp', 'groklst', 'ddp+groklst'])
def test_wrapped_checkpoint_loads_into_plain_model(layout):
    ref = _random_state(Model())
    model = Model()
    adapted, renamed = adapt_state_dict_keys(_prefixed(ref, layout), model.state_dict().keys())
    assert list(adapted) == list(ref)
    assert len(renamed) == sum(layout(k) != k for k in ref) > 0
    model.load_state_dict(adapted, strict=True)
    _assert_loaded(model, ref)


def test_plain_checkpoint_loads_into_wrapped_model():
    ref = _random_state(Model())
    wrapped = Wrapper(Model())
    adapted, _ = adapt_state_dict_keys(ref, wrapped.state_dict().keys())
    assert all(k.startswith('module.') for k in adapted)
    wrapped.load_state_dict(adapted, strict=True)
    _assert_loaded(wrapped.module, ref)


def test_real_submodule_named_module_is_kept():
    """A model whose own submodule is called ``module``: exact keys are never renamed."""
    ref = _random_state(Wrapper(Generator()))
    model = Wrapper(Generator())
    adapted, renamed = adapt_state_dict_keys(ref, model.state_dict().keys())
    assert renamed == [] and list(adapted) == list(ref)


def test_unknown_and_ambiguous_keys_stay_unchanged():
    model_keys = ['a.w', 'module.a.w', 'b.w']  # 'a.w' and 'module.a.w' unwrap alike
    state = OrderedDict([('module.module.a.w', torch.zeros(1)), ('c.w', torch.ones(1)),
                         ('module.b.w', torch.ones(1))])
    adapted, renamed = adapt_state_dict_keys(state, model_keys)
    assert list(adapted) == ['module.module.a.w', 'c.w', 'b.w']
    assert renamed == ['module.b.w -> b.w']


def test_metadata_is_kept():
    state = OrderedDict([('module.b.w', torch.ones(1))])
    state._metadata = OrderedDict(b=dict(version=2))
    adapted, _ = adapt_state_dict_keys(state, ['b.w'])
    assert adapted._metadata == state._metadata


@pytest.mark.parametrize('layout', [_ddp_keys, _grokLST_keys, lambda k: k],
                         ids=['ddp', 'groklst', 'plain'])
def test_mmengine_load_checkpoint_reads_every_layout(tmp_path, layout):
    """The path of ``load_from`` / ``--resume`` / inference: an MMEngine checkpoint file
    (weights + message hub object, which only the allow-list of safe loading accepts)."""
    from mmengine.logging import MessageHub
    from mmengine.runner.checkpoint import load_checkpoint
    ref = _random_state(Model(), seed=1)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(dict(meta=dict(iter=4), state_dict=_prefixed(ref, layout),
                    message_hub=MessageHub.get_instance('compat_test').state_dict()), path)
    model = Model()
    load_checkpoint(model, path, map_location='cpu', strict=True, logger='silent')
    _assert_loaded(model, ref)
    # also into a wrapped model (MMEngine's default revise_keys strips a leading module. first)
    wrapped = Wrapper(Model())
    load_checkpoint(wrapped, path, map_location='cpu', strict=True, logger='silent',
                    revise_keys=[])
    _assert_loaded(wrapped.module, ref)


def test_strict_load_still_names_a_really_missing_key(tmp_path):
    from mmengine.runner.checkpoint import load_checkpoint
    ref = _random_state(Model())
    ref.pop('generator.tail.bias')
    path = str(tmp_path / 'partial.pth')
    torch.save(dict(state_dict=_prefixed(ref, _grokLST_keys)), path)
    with pytest.raises(RuntimeError, match='generator.tail.bias'):
        load_checkpoint(Model(), path, strict=True, logger='silent')


def test_runner_uses_the_adapter():
    import mmengine.runner.runner as mm_runner
    from groklst.utils import compat
    assert mm_runner._load_checkpoint_to_model is compat._load_checkpoint_to_model_any_layout


def test_truncated_checkpoint_error_names_the_file(tmp_path):
    from mmengine.runner.checkpoint import load_checkpoint
    path = str(tmp_path / 'iter_4.pth')
    torch.save(dict(state_dict=_random_state(Model())), path)
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r'iter_4\.pth .* corrupt or truncated'):
        load_checkpoint(Model(), path, logger='silent')


class StatsModel(Model):
    config_buffers = ('lst_mean', 'lst_std')

    def __init__(self, mean=300.0, std=8.0):
        super().__init__()
        self.lst_mean.fill_(mean)
        self.lst_std.fill_(std)


def test_grokLST_checkpoint_without_lst_statistics_keeps_the_config_values(tmp_path):
    """GrokLST checkpoints hold generator weights only: a strict load keeps the config's LST
    statistics, and still fails for a missing generator weight."""
    from mmengine.runner.checkpoint import load_checkpoint
    ref = _random_state(StatsModel(), seed=2)
    weights = OrderedDict((k, v) for k, v in ref.items() if k.startswith('generator.'))
    path = str(tmp_path / 'groklst.pth')
    torch.save(dict(state_dict=_prefixed(weights, _grokLST_keys)), path)
    model = StatsModel(mean=301.5, std=7.25)
    load_checkpoint(model, path, map_location='cpu', strict=True, logger='silent')
    assert model.lst_mean.item() == 301.5 and model.lst_std.item() == 7.25
    for k, v in weights.items():
        assert torch.equal(model.state_dict()[k], v), k
    # the Downscaler declares the statistics as config buffers
    from groklst.models.downscalers.downscaler import Downscaler
    assert Downscaler.config_buffers == ('lst_mean', 'lst_std')
    # a plain Model (no config_buffers) still fails strictly on the missing statistics
    with pytest.raises(RuntimeError, match='lst_mean'):
        load_checkpoint(Model(), path, strict=True, logger='silent')
    weights.pop('generator.tail.bias')
    torch.save(dict(state_dict=_prefixed(weights, _grokLST_keys)), path)
    with pytest.raises(RuntimeError, match='generator.tail.bias'):
        load_checkpoint(StatsModel(), path, strict=True, logger='silent')
