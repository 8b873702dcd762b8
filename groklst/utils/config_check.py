"""Checks of run configs before anything is built: unknown keys, types and arguments.

MMEngine accepts any key in a config and any ``--cfg-options`` override; a typo is either
ignored (a top-level key nothing reads, ``data_root=`` after the datasets already copied the
old value) or surfaces as a traceback from deep inside a builder. These checks turn each case
into one :class:`ConfigKeyError` naming the key and, where there is one, the closest valid key
(``difflib``):

- :func:`check_cfg_options` (before the overrides are merged): a dotted key whose top level is
  neither in the config nor read by the MMEngine Runner; a key overriding a *config variable*
  (a top-level entry that only exists to be copied into other entries when the config file is
  read, such as ``data_root``, ``scale``, ``stats_file`` or ``train_pipeline``), which would
  change nothing: the error names the entries holding its value instead.
- :func:`check_config` (after merging): a top-level key that is a near-miss of a Runner key
  (``trian_cfg``); every ``type`` that no registry knows; every argument of a typed dict that
  the registered class's constructor does not take (``train_cfg.max_iter`` for
  ``IterBasedTrainLoop``, a misspelt generator argument), following ``**kwargs`` up the class
  hierarchy for groklst's classes; unknown keys of data loaders, ``env_cfg`` and
  ``randomness``. A third-party class taking ``**kwargs`` accepts anything, so it is not
  checked.

The registry of a typed dict follows from where it is (``model`` -> models,
``*_dataloader.dataset`` -> datasets, ``pipeline`` items -> transforms, hooks, loops, optimizer
wrappers, optimizers, parameter schedulers, metrics, log processor, visualizer); a typed dict
nested inside a model is checked when its type is a registered model and skipped when another
registry knows it.
"""
import difflib
import inspect
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from mmengine.config import Config

__all__ = ['ConfigKeyError', 'RUNNER_KEYS', 'check_cfg_options', 'check_config',
           'constructor_arguments']


class ConfigKeyError(KeyError, ValueError):
    """A config key or ``--cfg-options`` override that nothing would use, or a ``type`` no
    registry knows. ``str()`` is the plain one-line message (also a ``ValueError``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def _runner_keys() -> frozenset:
    from mmengine.runner import Runner
    keys = set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}
    # read by Runner from ``cfg`` (wrap_model, compile...) or by mmengine's Config itself
    keys |= {'model_wrapper_cfg', 'sync_bn', 'find_unused_parameters', 'compile',
             'activation_checkpointing', 'efficient_conv_bn_eval', 'custom_imports',
             'dist_params', 'strategy'}
    return frozenset(keys)


#: Top-level keys the MMEngine Runner (and so tools/train.py and tools/test.py) reads.
RUNNER_KEYS = _runner_keys()

#: Keys of untyped dicts the Runner reads.
_ENV_KEYS = frozenset({'cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit'})
_RANDOMNESS_KEYS = frozenset({'seed', 'diff_rank_seed', 'deterministic'})
#: Keys the Runner pops from a data loader dict before calling ``torch.utils.data.DataLoader``.
_DATALOADER_RUNNER_KEYS = frozenset({'dataset', 'sampler', 'batch_sampler', 'collate_fn',
                                     'worker_init_fn', 'num_batch_per_epoch',
                                     'disable_subprocess_warning'})
#: Keys a builder pops from a typed dict before calling the constructor.
_BUILDER_KEYS = {'optim_wrapper': frozenset({'constructor', 'paramwise_cfg', 'optimizer'}),
                 'param_scheduler': frozenset({'convert_to_iter_based'}),
                 'train_cfg': frozenset(), 'val_cfg': frozenset(), 'test_cfg': frozenset()}


def _closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> Optional[str]:
    match = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=cutoff)
    return match[0] if match else None


def _did_you_mean(word: str, candidates: Iterable[str], prefix: str = '') -> str:
    match = _closest(word, candidates)
    return f"; did you mean '{prefix}{match}'?" if match else ''


def constructor_arguments(obj: Any) -> Tuple[Set[str], bool]:
    """Keyword arguments a registered class (or function) accepts.

    For a class, ``__init__``'s named parameters; where it also takes ``**kwargs`` and is
    groklst's own, those of the next ``__init__`` up the MRO are added (groklst classes pass
    ``**kwargs`` on to their base). A third-party ``**kwargs`` (e.g. MMEngine's
    ``CheckpointHook``) may go anywhere: the result is then *open*.

    Returns:
        (names, open): ``open`` is True when any keyword might be accepted.
    """
    if not inspect.isclass(obj):
        try:
            params = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            return set(), True
        names = {p.name for p in params
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        return names, any(p.kind == p.VAR_KEYWORD for p in params)
    names: Set[str] = set()
    for klass in obj.__mro__:
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        if klass is object:
            return names, False
        try:
            params = list(inspect.signature(init).parameters.values())[1:]
        except (TypeError, ValueError):
            return names, True
        names |= {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names, False
        if not (klass.__module__ or '').startswith('groklst'):
            return names, True
    return names, False


# ---------------------------------------------------------------------------------------------
# registries by position

def _registries() -> Dict[str, Any]:
    from groklst import registry as r
    return dict(model=r.MODELS, dataset=r.DATASETS, transform=r.TRANSFORMS,
                sampler=r.DATA_SAMPLERS, hook=r.HOOKS, loop=r.LOOPS,
                optim_wrapper=r.OPTIM_WRAPPERS, optimizer=r.OPTIMIZERS,
                scheduler=r.PARAM_SCHEDULERS, metric=r.METRICS, evaluator=r.EVALUATOR,
                visualizer=r.VISUALIZERS, vis_backend=r.VISBACKENDS,
                log_processor=r.LOG_PROCESSORS, model_wrapper=r.MODEL_WRAPPERS)


def _registry_names(registry) -> Set[str]:
    names = set()
    while registry is not None:
        names |= set(registry.module_dict)
        registry = registry.parent
    return names


def _resolve(registry, type_name: Any):
    if not isinstance(type_name, str):
        return type_name
    try:
        return registry.get(type_name)
    except (KeyError, ImportError, AttributeError):
        return None


def _known_anywhere(type_name: str) -> bool:
    return any(_resolve(reg, type_name) is not None for reg in _registries().values())


class _Checker:
    """Walks a config, checking typed dicts against the constructors of their classes."""

    def __init__(self) -> None:
        self.regs = _registries()
        for reg in self.regs.values():
            try:
                reg.import_from_location()
            except Exception:  # noqa: BLE001 - a location that fails to import is not ours
                pass

    def typed(self, node: dict, path: str, kind: str, extra: frozenset = frozenset(),
              certain: bool = True) -> None:
        """Check the typed dict ``node`` at ``path`` whose registry is ``kind``."""
        registry = self.regs[kind]
        type_name = node.get('type')
        if type_name is None:
            return
        obj = _resolve(registry, type_name)
        if obj is None:
            if not certain and _known_anywhere(type_name):
                return
            raise ConfigKeyError(
                f'{path}.type: {type_name!r} is not a registered {registry.name}'
                + _did_you_mean(type_name, _registry_names(registry)))
        names, is_open = constructor_arguments(obj)
        if is_open:
            return
        allowed = names | extra | {'type', '_scope_'}
        for key in node:
            if key not in allowed:
                name = getattr(obj, '__name__', str(type_name))
                raise ConfigKeyError(
                    f'{path}.{key}: {name} takes no argument {key!r}'
                    + _did_you_mean(key, names - {'self'}, prefix=f'{path}.'))

    def model_tree(self, node: Any, path: str, root: bool) -> None:
        if isinstance(node, dict):
            if 'type' in node and path.rsplit('.', 1)[-1] != 'init_cfg':
                self.typed(node, path, 'model', certain=root)
            for key, value in node.items():
                if key != 'init_cfg':
                    self.model_tree(value, f'{path}.{key}', False)
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                self.model_tree(value, f'{path}.{i}', False)

    def dataset(self, node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        self.typed(node, path, 'dataset')
        for i, t in enumerate(node.get('pipeline') or []):
            if isinstance(t, dict):
                self.typed(t, f'{path}.pipeline.{i}', 'transform')
        for key in ('dataset', 'datasets'):  # wrappers (ConcatDataset, RepeatDataset...)
            sub = node.get(key)
            for i, d in enumerate(sub if isinstance(sub, (list, tuple)) else [sub]):
                self.dataset(d, f'{path}.{key}' + (f'.{i}' if isinstance(sub, (list, tuple))
                                                   else ''))

    def dataloader(self, node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        from torch.utils.data import DataLoader
        allowed = (set(inspect.signature(DataLoader.__init__).parameters) - {'self'}
                   ) | _DATALOADER_RUNNER_KEYS
        for key in node:
            if key not in allowed:
                raise ConfigKeyError(f'{path}.{key}: data loaders take no key {key!r}'
                                     + _did_you_mean(key, allowed, prefix=f'{path}.'))
        self.dataset(node.get('dataset'), f'{path}.dataset')
        for key in ('sampler', 'batch_sampler'):
            if isinstance(node.get(key), dict):
                self.typed(node[key], f'{path}.{key}', 'sampler')

    def loop(self, node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        if 'type' in node:
            self.typed(node, path, 'loop')
            return
        from mmengine.runner import (EpochBasedTrainLoop, IterBasedTrainLoop, TestLoop,
                                     ValLoop)
        cls = {'train_cfg': EpochBasedTrainLoop if node.get('by_epoch') else IterBasedTrainLoop,
               'val_cfg': ValLoop, 'test_cfg': TestLoop}[path]
        names, _ = constructor_arguments(cls)
        names = (names | {'by_epoch'}) - {'runner', 'dataloader', 'evaluator'}
        for key in node:
            if key not in names:
                raise ConfigKeyError(f'{path}.{key}: {cls.__name__} takes no argument {key!r}'
                                     + _did_you_mean(key, names, prefix=f'{path}.'))

    def items(self, node: Any, path: str, kind: str, extra: frozenset = frozenset()) -> None:
        if isinstance(node, dict):
            if 'type' in node:
                self.typed(node, path, kind, extra)
            else:  # a dict of typed dicts (default_hooks)
                for key, value in node.items():
                    if isinstance(value, dict):
                        self.typed(value, f'{path}.{key}', kind, extra)
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                if isinstance(value, dict):
                    self.typed(value, f'{path}.{i}', kind, extra)

    def plain(self, node: Any, path: str, allowed: frozenset) -> None:
        if isinstance(node, dict):
            for key in node:
                if key not in allowed:
                    raise ConfigKeyError(f'{path}.{key}: unknown key {key!r}'
                                         + _did_you_mean(key, allowed, prefix=f'{path}.'))


def check_config(cfg: Config) -> None:
    """Check a merged run config before the Runner builds anything (see the module docstring).

    Raises:
        ConfigKeyError: the first unknown key / type / argument, with the closest valid one.
    """
    for key in cfg.keys():
        if key in RUNNER_KEYS or key.startswith('_'):
            continue
        near = _closest(key, RUNNER_KEYS, cutoff=0.85)
        if near:
            raise ConfigKeyError(f"top-level key {key!r} is not read by the runner; did you mean "
                                 f"{near!r}?")
    c = _Checker()
    if isinstance(cfg.get('model'), dict):
        c.model_tree(cfg['model'], 'model', True)
    for split in ('train', 'val', 'test'):
        c.dataloader(cfg.get(f'{split}_dataloader'), f'{split}_dataloader')
        c.loop(cfg.get(f'{split}_cfg'), f'{split}_cfg')
    wrapper = cfg.get('optim_wrapper')
    if isinstance(wrapper, dict):
        if 'type' in wrapper:
            c.typed(wrapper, 'optim_wrapper', 'optim_wrapper', _BUILDER_KEYS['optim_wrapper'])
        if isinstance(wrapper.get('optimizer'), dict):
            c.typed(wrapper['optimizer'], 'optim_wrapper.optimizer', 'optimizer',
                    frozenset({'params'}))
    c.items(cfg.get('param_scheduler'), 'param_scheduler', 'scheduler',
            _BUILDER_KEYS['param_scheduler'])
    c.items(cfg.get('default_hooks'), 'default_hooks', 'hook')
    c.items(cfg.get('custom_hooks'), 'custom_hooks', 'hook')
    for key in ('val_evaluator', 'test_evaluator'):
        node = cfg.get(key)
        if isinstance(node, dict) and 'metrics' in node and node.get('type', 'Evaluator'):
            c.items(node['metrics'], f'{key}.metrics', 'metric')
        else:
            c.items(node, key, 'metric')
    for key, kind in (('log_processor', 'log_processor'), ('visualizer', 'visualizer')):
        node = cfg.get(key)
        if isinstance(node, dict) and 'type' in node:
            c.typed(node, key, kind)
    c.plain(cfg.get('env_cfg'), 'env_cfg', _ENV_KEYS)
    c.plain(cfg.get('randomness'), 'randomness', _RANDOMNESS_KEYS)


def _paths_with_value(node: Any, value: Any, path: str = '') -> List[str]:
    """Dotted paths below ``node`` whose value equals ``value``."""
    found = []
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)):
        items = enumerate(node)
    else:
        return found
    for key, sub in items:
        sub_path = f'{path}.{key}' if path else str(key)
        try:
            same = sub == value and type(sub) is type(value)
        except Exception:  # noqa: BLE001 - arrays and other odd values: not a match
            same = False
        if same:
            found.append(sub_path)
        else:
            found += _paths_with_value(sub, value, sub_path)
    return found


def _all_paths(node: Any, path: str = '') -> List[str]:
    out = []
    if isinstance(node, dict):
        for key, sub in node.items():
            sub_path = f'{path}.{key}' if path else str(key)
            out.append(sub_path)
            out += _all_paths(sub, sub_path)
    return out


def _consumed_top_level(cfg: Config) -> Set[str]:
    return set(RUNNER_KEYS) | {k for k in cfg.keys() if k.startswith('_')}


def check_cfg_options(cfg: Config, options: Optional[dict]) -> None:
    """Check ``--cfg-options`` overrides against the config they will be merged into.

    Args:
        cfg: the config as read from its file (before the overrides).
        options: dotted key -> value, as ``mmengine.config.DictAction`` parses them.

    Raises:
        ConfigKeyError: a key whose top level is unknown (closest top-level key or dotted path
            named), or a key overriding a config variable (the entries holding its value
            named). Nested keys are checked by :func:`check_config` after the merge.
    """
    if not options:
        return
    consumed = _consumed_top_level(cfg)
    top_keys = set(cfg.keys())
    for key in options:
        top = str(key).split('.', 1)[0]
        if top in consumed:
            continue
        if top not in top_keys:
            leaf = str(key).rsplit('.', 1)[-1]
            paths = [p for p in _all_paths(cfg.to_dict())
                     if p.rsplit('.', 1)[-1] == leaf and p.split('.', 1)[0] in consumed]
            hint = (f"; did you mean '{paths[0]}'?" if paths
                    else _did_you_mean(top, set(RUNNER_KEYS) | top_keys))
            raise ConfigKeyError(f'--cfg-options {key}: unknown top-level key {top!r}: neither '
                                 f'in the config nor read by the runner{hint}')
        value = cfg[top]
        holders = [p for p in _paths_with_value(
            {k: cfg[k] for k in cfg.keys() if k in consumed}, value)
            if isinstance(value, (str, list, tuple, dict)) and value
            or p.rsplit('.', 1)[-1] == top]
        where = (f"; set the entries that hold its value instead: {', '.join(holders[:6])}"
                 + (f' (and {len(holders) - 6} more)' if len(holders) > 6 else '')
                 if holders else '')
        raise ConfigKeyError(
            f'--cfg-options {key}: {top!r} is a variable of the config file, already copied into '
            f'the entries that use it when the file was read; overriding it changes '
            f'nothing{where}')

