"""Safe and strict checkpoint loading (groklst/utils/checkpoint.py, installed into MMEngine by
groklst/utils/compat.py): malicious pickles are refused at every entry point, weights must match
the model, ``--resume`` needs a training checkpoint of the config. The command-line tools'
refusals are tested in tests/test_tools/ (test_test.py, test_train.py, test_downscale.py)."""
import os.path as osp
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn as nn

import groklst  # noqa: F401  (installs the MMEngine patches)
from groklst.utils.checkpoint import (CheckpointError, CheckpointMismatchError,
                                      UnsafeCheckpointError, checkpoint_safe_globals,
                                      safe_torch_load)
from tests.fixtures.checkpoints import EDSR, SRCNN
from tests.fixtures.checkpoints import TINY_SISR_CONFIG as CONFIG
from tests.fixtures.checkpoints import Lookup
from tests.fixtures.checkpoints import build_downscaler as _model
from tests.fixtures.checkpoints import evil_checkpoint as _evil_checkpoint
from tests.fixtures.checkpoints import training_checkpoint as _training_checkpoint
from tests.fixtures.make_scene_fixture import make_scene_fixture
from tests.fixtures.paths import ROOT


# -- safety ----------------------------------------------------------------------------------
@pytest.mark.parametrize('kind, named', [('system', 'posix.system'), ('exec', 'exec')])
def test_malicious_pickle_is_refused_and_nothing_runs(tmp_path, kind, named):
    marker = tmp_path / 'marker'
    path = _evil_checkpoint(tmp_path / 'evil.pth', marker, kind)
    # the payload is live: an unrestricted load runs it
    torch.load(path, weights_only=False)
    assert marker.exists()
    marker.unlink()
    with pytest.raises(UnsafeCheckpointError) as err:
        safe_torch_load(path)
    msg = str(err.value)
    assert path in msg and named in msg and 'refused' in msg
    assert '\n' not in msg
    assert not marker.exists()


@pytest.mark.parametrize('entry', ['mmengine_scheme', 'load_checkpoint', 'init_downscaler',
                                   'finetune_pretrained'])
def test_every_loader_in_the_package_refuses_a_malicious_checkpoint(tmp_path, entry):
    from mmengine.runner import load_checkpoint
    from mmengine.runner.checkpoint import _load_checkpoint

    from groklst.apis import init_downscaler
    from groklst.models.finetune.wrapper import FinetuneModel
    marker = tmp_path / 'marker'
    path = _evil_checkpoint(tmp_path / 'evil.pth', marker)
    model_cfg = dict(type='Downscaler', scale=4, lst_norm=dict(mean=300.0, std=5.0),
                     generator=EDSR)
    load = {'mmengine_scheme': lambda: _load_checkpoint(path),
            'load_checkpoint': lambda: load_checkpoint(nn.Linear(2, 1), path),
            'init_downscaler': lambda: init_downscaler(dict(model=model_cfg), path),
            'finetune_pretrained': lambda: FinetuneModel(model_cfg, pretrained=path)}[entry]
    _model(EDSR)  # registers the modules
    with pytest.raises(UnsafeCheckpointError, match=r'evil\.pth refused: .*posix\.system'):
        load()
    assert not marker.exists()


def test_getattr_is_allowed_for_history_buffer_statistics_only(tmp_path):
    from mmengine.logging.history_buffer import HistoryBuffer
    path = str(tmp_path / 'lookup.pth')
    torch.save(dict(f=Lookup(HistoryBuffer, 'mean')), path)
    assert safe_torch_load(path)['f'] is HistoryBuffer.mean
    for owner, name, named in [(HistoryBuffer, '__init__', 'HistoryBuffer.__init__'),
                               (np.ndarray, 'tofile', 'numpy.ndarray.tofile')]:
        torch.save(dict(f=Lookup(owner, name)), path)
        with pytest.raises(UnsafeCheckpointError, match=named):
            safe_torch_load(path)


def test_training_checkpoint_needs_exactly_the_allow_list_and_round_trips(tmp_path):
    """What a Runner checkpoint carries besides tensors (the list was taken from real runs:
    downscaling and retrieval, with schedulers, EMA, AMP and the RNG-state hook)."""
    from mmengine.logging import MessageHub
    from mmengine.optim import CosineAnnealingLR
    model = _model(EDSR)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    sched = CosineAnnealingLR(opt, T_max=4, by_epoch=False)
    path = _training_checkpoint(model, tmp_path / 'iter_2.pth',
                                param_schedulers=[sched.state_dict()],
                                torch_rng_state=torch.get_rng_state())
    needed = set(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    assert needed == {'builtins.getattr', 'mmengine.logging.history_buffer.HistoryBuffer',
                      'numpy._core.multiarray._reconstruct', 'numpy._core.multiarray.scalar',
                      'numpy.dtype', 'numpy.ndarray'}
    allowed = {e[1] if isinstance(e, tuple) else f'{e.__module__}.{e.__qualname__}'
               for e in checkpoint_safe_globals()}
    assert needed <= allowed
    ckpt = safe_torch_load(path)
    loss = ckpt['message_hub']['log_scalars']['train/loss']
    np.testing.assert_allclose(loss.data[0], [0.9, 0.5, 0.25])
    assert loss.statistics('mean') == pytest.approx(0.55)
    assert ckpt['message_hub']['runtime_info']['best_score'] == 1.25
    hub = MessageHub.get_instance('test_checkpoint_resumed')
    hub.load_state_dict(ckpt['message_hub'])
    assert hub.get_scalar('train/loss').current() == 0.25
    assert torch.equal(ckpt['torch_rng_state'], torch.get_rng_state())


def test_numpy1_checkpoint_names_load(tmp_path):
    """GrokLST checkpoints were saved under numpy 1, whose arrays pickle as
    ``numpy.core.multiarray._reconstruct``."""
    path = tmp_path / 'np1.pth'
    torch.save(dict(a=np.arange(4.0), s=np.int64(3)), str(path),
               _use_new_zipfile_serialization=False)
    data = path.read_bytes()
    assert b'numpy._core.multiarray' in data
    path.write_bytes(data.replace(b'numpy._core.multiarray', b'numpy.core.multiarray'))
    ckpt = safe_torch_load(str(path))
    np.testing.assert_array_equal(ckpt['a'], [0.0, 1.0, 2.0, 3.0])
    assert ckpt['s'] == 3


def test_unreadable_file_is_named_not_called_unsafe(tmp_path):
    path = tmp_path / 'noise.pth'
    path.write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(CheckpointError, match=r'noise\.pth \(300 bytes\) cannot be read: '
                                              r'corrupt') as err:
        safe_torch_load(str(path))
    assert not isinstance(err.value, UnsafeCheckpointError)


def test_url_checkpoints_load_safely_and_other_schemes_are_refused(tmp_path, monkeypatch):
    """``https://`` goes through torch.hub's cache with weights_only=True and our allow-list;
    MMEngine's other schemes (unrestricted unpickling) are refused."""
    import shutil

    from mmengine.runner.checkpoint import _load_checkpoint
    files = dict(good=_training_checkpoint(_model(EDSR), tmp_path / 'good.pth'),
                 evil=_evil_checkpoint(tmp_path / 'evil.pth', tmp_path / 'marker'))
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))
    monkeypatch.setattr(torch.hub, 'download_url_to_file',
                        lambda url, dst, *a, **k: shutil.copy(files[url[-8:-4]], dst))
    good = _load_checkpoint('https://example.org/ckpt/good.pth')
    assert good['meta']['iter'] == 2 and 'generator.head.weight' in good['state_dict']
    with pytest.raises(UnsafeCheckpointError, match=r'https://example.org/ckpt/evil\.pth'):
        _load_checkpoint('https://example.org/ckpt/evil.pth')
    assert not (tmp_path / 'marker').exists()
    for url in ('s3://bucket/m.pth', 'pavi://m.pth', 'open-mmlab://resnet50'):
        with pytest.raises(CheckpointError, match='local files and http'):
            _load_checkpoint(url)


# -- strictness ------------------------------------------------------------------------------
def test_another_models_checkpoint_is_one_error_with_counts(tmp_path):
    from groklst.apis import init_downscaler
    path = _training_checkpoint(_model(SRCNN), tmp_path / 'srcnn.pth')
    edsr, srcnn = list(_model(EDSR).state_dict()), list(_model(SRCNN).state_dict())
    missing = [k for k in edsr if k not in srcnn]  # in the order of the model / checkpoint
    unexpected = [k for k in srcnn if k not in edsr]
    assert len(missing) > 5 and len(unexpected) == 6
    cfg = dict(model=dict(type='Downscaler', scale=4, lst_norm=dict(mean=300.0, std=5.0),
                          generator=EDSR))
    with pytest.raises(CheckpointMismatchError) as err:
        init_downscaler(cfg, path)
    msg = str(err.value)
    assert msg.startswith(f'Checkpoint {path} does not match Downscaler: ')
    assert f'{len(missing)} missing keys ({", ".join(missing[:5])}, ...)' in msg
    assert f'{len(unexpected)} unexpected keys ({", ".join(unexpected[:5])}, ...)' in msg
    assert '\n' not in msg


def test_reshaped_weights_are_named_with_both_shapes(tmp_path):
    from mmengine.runner import load_checkpoint
    wide = dict(EDSR, n_feats=16)
    path = _training_checkpoint(_model(wide), tmp_path / 'wide.pth')
    with pytest.raises(CheckpointMismatchError,
                       match=r'wide\.pth does not match Downscaler: 13 reshaped or unloadable '
                             r'weights \(generator\.head\.weight: checkpoint \(16, 1, 3, 3\), '
                             r'model \(8, 1, 3, 3\), generator\.head\.bias: checkpoint \(16\), '
                             r'model \(8\), '):
        load_checkpoint(_model(EDSR), path)  # strict by default


def test_grokLST_and_ddp_layouts_still_load_strictly(tmp_path):
    from groklst.apis import init_downscaler
    source = _model(EDSR, seed=3)
    weights = {k: v for k, v in source.state_dict().items() if k.startswith('generator.')}
    cfg = dict(model=dict(type='Downscaler', scale=4, lst_norm=dict(mean=301.0, std=6.0),
                          generator=EDSR))
    for name, key in [('groklst', lambda k: k.replace('generator.', 'generator.module.', 1)),
                      ('ddp', lambda k: 'module.' + k)]:
        path = str(tmp_path / f'{name}.pth')
        torch.save(dict(state_dict=OrderedDict((key(k), v) for k, v in weights.items())), path)
        model = init_downscaler(cfg, path)
        for k, v in weights.items():
            assert torch.equal(model.state_dict()[k], v), (name, k)
        assert model.lst_mean.item() == 301.0  # config_buffers: absent from the checkpoint


def _lora_model(seed=0):
    from groklst.models.finetune.wrapper import FinetuneModel
    from groklst.models.retrievers.mlp_retriever import MLPRetriever
    stats = dict(inputs={k: dict(mean=m, std=s) for k, m, s in
                         (('bt:0', 290.0, 10.0), ('wvc', 2.0, 1.0))},
                 targets=dict(lst=dict(mean=295.0, std=12.0)))
    torch.manual_seed(seed)
    plain = MLPRetriever(['bt:0', 'wvc'], ['lst'], hidden_sizes=(8,), norm=stats)
    torch.manual_seed(seed + 1)
    wrapped = FinetuneModel(MLPRetriever(['bt:0', 'wvc'], ['lst'], hidden_sizes=(8,),
                                         norm=stats),
                            dict(strategy='lora', r=2, alpha=4, target_modules=['net.body.*']))
    return plain, wrapped


def test_finetune_model_loads_the_plain_pretrained_model_strictly(tmp_path):
    """``load_from`` a plain checkpoint into a LoRA model: every pre-trained weight loads, the
    LoRA factors keep their init; a checkpoint with only part of them, or of another model,
    fails."""
    from mmengine.runner import load_checkpoint
    plain, wrapped = _lora_model()
    path = str(tmp_path / 'plain.pth')
    torch.save(dict(state_dict=plain.state_dict()), path)
    lora = {k: v.clone() for k, v in wrapped.state_dict().items() if 'lora_' in k}
    assert len(lora) == 2
    load_checkpoint(wrapped, path)
    x = torch.tensor([[290.0, 2.0], [300.0, 3.0]])
    torch.testing.assert_close(wrapped(x, mode='tensor'), plain(x, mode='tensor'))
    assert all(torch.equal(wrapped.state_dict()[k], v) for k, v in lora.items())
    # a fine-tuned checkpoint missing one LoRA factor
    state = wrapped.state_dict()
    dropped = sorted(lora)[0]
    state.pop(dropped)
    torch.save(dict(state_dict=state), path)
    with pytest.raises(CheckpointMismatchError, match=rf'1 missing keys \({dropped}\)'):
        load_checkpoint(_lora_model()[1], path)


def test_finetuned_downscaler_takes_the_pretrained_lst_statistics(tmp_path):
    """The pre-trained Downscaler's ``lst_mean`` / ``lst_std`` are weights of the checkpoint,
    not config buffers to keep (they used to be replaced by the config's values)."""
    from mmengine.runner import load_checkpoint

    from groklst.registry import MODELS
    plain = _model(EDSR, seed=5)
    plain.lst_mean.fill_(290.5)
    path = str(tmp_path / 'plain.pth')
    torch.save(dict(state_dict=plain.state_dict()), path)
    wrapped = MODELS.build(dict(
        type='FinetuneModel', finetune=dict(strategy='lora', r=2, alpha=4,
                                            target_modules=['generator.body.*']),
        model=dict(type='Downscaler', scale=4, lst_norm=dict(mean=300.0, std=5.0),
                   generator=EDSR)))
    load_checkpoint(wrapped, path)
    assert wrapped.model.lst_mean.item() == 290.5
    x = dict(lr=290 + torch.randn(1, 1, 6, 6))
    plain.eval(), wrapped.eval()
    torch.testing.assert_close(wrapped(x, mode='tensor'), plain(x, mode='tensor'))


def test_lenient_load_when_asked_for(tmp_path):
    """``strict=False`` (e.g. MMEngine's ``Pretrained`` init) loads what matches and warns."""
    from mmengine.runner import load_checkpoint
    source = _model(dict(EDSR, n_resblocks=2), seed=4)
    path = _training_checkpoint(source, tmp_path / 'deeper.pth')
    model = _model(EDSR)
    load_checkpoint(model, path, strict=False)
    assert torch.equal(model.generator.head.weight, source.generator.head.weight)


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('safety')
    data = str(tmp / 'data')
    make_scene_fixture(data, size=128, tile=32)
    cfgs = {}
    for name, gen in (('edsr', EDSR), ('srcnn', SRCNN)):
        cfgs[name] = str(tmp / f'tiny_{name}.py')
        with open(cfgs[name], 'w') as f:
            f.write(CONFIG.format(root=ROOT, data=data, generator=gen))
    return tmp, data, cfgs


def _runner(cfg_path, work_dir, **options):
    from mmengine.config import Config
    from mmengine.runner import Runner

    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(cfg_path)
    cfg.merge_from_dict(dict(work_dir=str(work_dir),
                             experiment_name=f'safety_{osp.basename(str(work_dir))}', **options))
    return Runner.from_cfg(cfg)


def test_load_from_another_models_checkpoint_stops_before_training(scene, tmp_path):
    _, _, cfgs = scene
    path = _training_checkpoint(_model(SRCNN), tmp_path / 'srcnn.pth')
    runner = _runner(cfgs['edsr'], tmp_path / 'work', load_from=path)
    with pytest.raises(CheckpointMismatchError, match=r'srcnn\.pth does not match Downscaler: '
                                                       r'\d+ missing keys'):
        runner.train()
    assert runner.iter == 0 and not (tmp_path / 'work' / 'iter_2.pth').exists()


@pytest.mark.parametrize('kind', ['weights_only', 'other_model'])
def test_resume_needs_a_training_checkpoint_of_this_config(scene, tmp_path, kind):
    _, _, cfgs = scene
    if kind == 'weights_only':
        path = str(tmp_path / 'weights.pth')
        torch.save(_model(EDSR).state_dict(), path)
        expected = r'Cannot resume from .*weights\.pth: it is a weights-only file'
    else:
        path = _training_checkpoint(_model(SRCNN), tmp_path / 'srcnn_iter_2.pth')
        expected = (r'Cannot resume from .*srcnn_iter_2\.pth: it is not a training checkpoint '
                    r'of this config\. Checkpoint .* does not match Downscaler')
    runner = _runner(cfgs['edsr'], tmp_path / 'work', resume=True, load_from=path)
    with pytest.raises(CheckpointMismatchError, match=expected):
        runner.train()
    assert runner.iter == 0


def test_checkpoint_roundtrip_with_non_tensor_meta(tmp_path):
    """mmengine checkpoints carry non-tensor objects (ConfigDict, numpy) that safe loading takes."""
    from mmengine.config import ConfigDict
    from mmengine.runner import load_checkpoint

    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = dict(type='Downscaler', scale=2, lst_norm=dict(mean=295.0, std=4.0),
               generator=dict(type='MoCoLSKNet', scale=2, guidance_channels=3, base_dim=8,
                              num_stages=1, n_resblocks=1, reduction=4))
    torch.manual_seed(0)
    a = MODELS.build(cfg)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict=a.state_dict(),
                    meta=dict(cfg=ConfigDict(cfg), seed=np.int64(3), hist=np.arange(3))), path)
    torch.manual_seed(1)
    b = MODELS.build(cfg)
    inp = dict(lr=290 + torch.randn(2, 1, 6, 6), guidance=torch.randn(2, 3, 12, 12))
    assert not torch.allclose(a(inp), b(inp))
    ckpt = load_checkpoint(b, path, map_location='cpu', strict=True)
    assert int(ckpt['meta']['seed']) == 3
    a.eval(), b.eval()
    torch.testing.assert_close(a(inp), b(inp), atol=0, rtol=0)
