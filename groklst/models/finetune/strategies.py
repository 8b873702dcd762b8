"""Fine-tuning strategies for a pre-trained network: which parameters learn, and what is added.

One entry point, :func:`apply_finetune` (``model, cfg -> model``), selected by
``cfg['strategy']``:

``'full'``
    every parameter trains (the usual transfer-learning baseline).
``'head_only'``
    everything is frozen except the modules named in ``head_modules`` (linear probing /
    "freeze the feature extractor", e.g. Yosinski et al., NeurIPS 2014).
``'gradual'``
    gradual unfreezing (Howard & Ruder, "Universal Language Model Fine-tuning", ACL 2018):
    ``groups`` lists module groups from the head backwards; group 0 trains from iteration 0
    and one more group is unfrozen every ``interval`` iterations (:class:`GradualUnfreezer`,
    driven by :class:`groklst.engine.hooks.GradualUnfreezeHook` in the Runner).
``'adapter'``
    bottleneck adapters (Houlsby et al., "Parameter-Efficient Transfer Learning for NLP",
    ICML 2019): after each target Linear / Conv layer ``y -> y + W_up act(W_down y)`` with
    ``W_up`` zero-initialised, so the network is unchanged at the start; only adapters (and
    ``trainable_modules``) train.
``'lora'``
    low-rank adaptation (Hu et al., "LoRA", ICLR 2022) of target Linear / Conv layers through
    the ``peft`` library: ``W x + (alpha / r) B A x`` with ``B`` zero-initialised; only the
    low-rank factors (and ``trainable_modules``) train; :func:`merge_lora` folds ``B A`` into
    ``W`` for export.

Module names are matched with shell patterns on the full dotted names of
``model.named_modules()`` (e.g. ``'net.head'``, ``'net.body.*'``, ``'*.conv1'``).

The strategies were compared for LST retrieval by Heidarian et al. 2025 ("Cross-Domain Land
Surface Temperature Retrieval via Strategic Fine-Tuning-Based Transfer Learning", Remote Sens.
17(23):3803); see ``docs/retrieval.md`` (section SFTL).
"""
from fnmatch import fnmatchcase
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn

from groklst.models.layers.activation import ActCfg, build_activation

__all__ = ['FINETUNE_STRATEGIES', 'apply_finetune', 'match_modules', 'count_parameters',
           'freeze_all', 'unfreeze_modules', 'BottleneckAdapter', 'AdaptedLayer',
           'insert_adapters', 'apply_lora', 'merge_lora', 'GradualUnfreezer',
           'get_gradual_unfreezer', 'plain_parameter_name']

FINETUNE_STRATEGIES = ('full', 'head_only', 'gradual', 'adapter', 'lora')
#: Layer types that adapters and LoRA can target.
ADAPTABLE = (nn.Linear, nn.Conv1d, nn.Conv2d)
_UNFREEZER_ATTR = '_finetune_gradual_unfreezer'
#: Name of the wrapped layer inside an adapter / LoRA wrapper (the same word as ``peft``'s).
BASE_LAYER = 'base_layer'


def match_modules(model: nn.Module, patterns: Union[str, Sequence[str]],
                  types: Optional[tuple] = None) -> List[str]:
    """Full names of the sub-modules of ``model`` matched by shell ``patterns``.

    Args:
        model: any module.
        patterns: one pattern or a list, e.g. ``['net.head', 'net.body.*']``.
        types: if given, wildcard patterns keep only instances of these classes, and an
            exactly named module of another class is an error.

    Returns:
        matched names in ``named_modules`` order (no duplicates).

    Raises:
        ValueError: a pattern that matches no module (the message lists the available names)
            or a match of the wrong type.
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    modules = dict((n, m) for n, m in model.named_modules() if n)
    names = list(modules)
    out: List[str] = []
    for pat in patterns:
        hits = [n for n in names if fnmatchcase(n, pat)]
        wildcard = any(c in pat for c in '*?[')
        if types is not None and wildcard:
            hits = [n for n in hits if isinstance(modules[n], types)]
        if not hits:
            shown = names if len(names) <= 40 else names[:40] + ['...']
            what = '' if types is None or not wildcard else \
                f' of type {[t.__name__ for t in types]}'
            raise ValueError(f'module pattern {pat!r} matches no module{what} of '
                             f'{type(model).__name__}; modules are {shown}')
        out += [h for h in hits if h not in out]
    if types is not None:
        for name in out:
            if not isinstance(modules[name], types):
                raise ValueError(f'module {name!r} is a {type(modules[name]).__name__}; '
                                 f'expected one of {[t.__name__ for t in types]}')
    return out


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) scalar parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def freeze_all(model: nn.Module) -> None:
    """Set ``requires_grad=False`` on every parameter."""
    for p in model.parameters():
        p.requires_grad_(False)


def unfreeze_modules(model: nn.Module, patterns: Union[str, Sequence[str]]) -> List[str]:
    """Set ``requires_grad=True`` on every parameter of the matched modules; returns their
    names (see :func:`match_modules` for the errors)."""
    names = match_modules(model, patterns)
    for name in names:
        for p in model.get_submodule(name).parameters():
            p.requires_grad_(True)
    return names


def plain_parameter_name(name: str) -> str:
    """The name a parameter had before adapters / LoRA wrapped its layer
    (``'net.head.base_layer.weight'`` -> ``'net.head.weight'``)."""
    return '.'.join(part for part in name.split('.') if part != BASE_LAYER)


def _set_submodule(model: nn.Module, name: str, new: nn.Module) -> None:
    parent_name, _, child = name.rpartition('.')
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, child, new)


def _out_channels(layer: nn.Module) -> int:
    return layer.out_features if isinstance(layer, nn.Linear) else layer.out_channels


# -- adapters ----------------------------------------------------------------------------------
class BottleneckAdapter(nn.Module):
    """Residual bottleneck adapter of Houlsby et al. (ICML 2019): ``x + up(act(down(x)))``.

    ``down``: C -> bottleneck, ``up``: bottleneck -> C, both with bias; ``up`` is initialised
    to zero so the adapter is the identity at initialisation. Acts on the channel axis
    ``channel_dim`` of a tensor of any rank: (B, C) for Linear outputs, (B, C, L) or
    (B, C, H, W) for convolution outputs (``channel_dim=1``).

    Parameters: ``2 * C * bottleneck + bottleneck + C``.

    Args:
        channels: C.
        bottleneck: hidden width (e.g. C // 4).
        act_cfg: nonlinearity (see ``build_activation``), default GELU.
        channel_dim: the channel axis (-1 for (B, C), 1 for feature maps).

    Raises:
        ValueError: non-positive ``channels`` / ``bottleneck``; an input whose channel axis is
            not C.
    """

    def __init__(self, channels: int, bottleneck: int, act_cfg: ActCfg = 'GELU',
                 channel_dim: int = -1) -> None:
        super().__init__()
        if channels <= 0 or bottleneck <= 0:
            raise ValueError(f'adapter channels and bottleneck must be positive, got '
                             f'{channels}, {bottleneck}')
        self.channels = int(channels)
        self.channel_dim = int(channel_dim)
        self.down = nn.Linear(channels, bottleneck)
        self.act = build_activation(act_cfg)
        self.up = nn.Linear(bottleneck, channels)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Same shape in and out (see the class docstring)."""
        if x.shape[self.channel_dim] != self.channels:
            raise ValueError(f'adapter expects {self.channels} channels on axis '
                             f'{self.channel_dim}, got shape {tuple(x.shape)}')
        h = x.movedim(self.channel_dim, -1)
        h = self.up(self.act(self.down(h)))
        return x + h.movedim(-1, self.channel_dim)


class AdaptedLayer(nn.Module):
    """A frozen layer followed by its adapter: ``adapter(base_layer(x))``.

    Args:
        base_layer: ``nn.Linear``, ``nn.Conv1d`` or ``nn.Conv2d``.
        adapter: a :class:`BottleneckAdapter` on the layer's output channels.
    """

    def __init__(self, base_layer: nn.Module, adapter: BottleneckAdapter) -> None:
        super().__init__()
        self.base_layer = base_layer
        self.adapter = adapter

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, ...) -> (B, C_out, ...) as the base layer."""
        return self.adapter(self.base_layer(x))


def insert_adapters(model: nn.Module, target_modules: Sequence[str],
                    bottleneck: Optional[int] = None, reduction: int = 4,
                    act_cfg: ActCfg = 'GELU') -> List[str]:
    """Wrap each target layer in an :class:`AdaptedLayer` (in place); returns the names.

    Args:
        target_modules: shell patterns of Linear / Conv1d / Conv2d layers.
        bottleneck: adapter width; default ``max(1, C // reduction)`` per layer.
        reduction: see ``bottleneck``.
        act_cfg: adapter nonlinearity.

    Raises:
        ValueError: see :func:`match_modules` (also for a layer already wrapped).
    """
    names = match_modules(model, target_modules, types=ADAPTABLE)
    for name in names:
        layer = model.get_submodule(name)
        c = _out_channels(layer)
        width = int(bottleneck) if bottleneck is not None else max(1, c // int(reduction))
        dim = -1 if isinstance(layer, nn.Linear) else 1
        adapter = BottleneckAdapter(c, width, act_cfg, channel_dim=dim).to(
            next(layer.parameters()).device)
        _set_submodule(model, name, AdaptedLayer(layer, adapter))
    return names


# -- LoRA (peft) -------------------------------------------------------------------------------
def apply_lora(model: nn.Module, target_modules: Sequence[str], r: int = 8,
               alpha: float = 16, dropout: float = 0.0) -> List[str]:
    """Inject LoRA factors into the target layers with ``peft`` (in place); returns the names.

    Every parameter outside the LoRA factors is frozen by ``peft``.

    Args:
        target_modules: shell patterns of Linear / Conv1d / Conv2d layers.
        r: rank of the update ``B A``.
        alpha: scaling numerator (update scaled by ``alpha / r``).
        dropout: dropout on the LoRA branch input.

    Raises:
        ValueError: see :func:`match_modules`; ``r`` < 1.
    """
    from peft import LoraConfig, inject_adapter_in_model
    if int(r) < 1:
        raise ValueError(f'LoRA rank r must be >= 1, got {r}')
    names = match_modules(model, target_modules, types=ADAPTABLE)
    config = LoraConfig(r=int(r), lora_alpha=alpha, lora_dropout=float(dropout),
                        target_modules=names, bias='none')
    inject_adapter_in_model(config, model)
    return names


def merge_lora(model: nn.Module) -> nn.Module:
    """Fold every LoRA update into its base weight and put the plain layer back (in place).

    After merging the module tree and parameter names are those of the model before
    :func:`apply_lora`, so the weights load into the un-adapted architecture. Returns
    ``model`` (or the merged base layer when ``model`` itself is a LoRA layer).
    """
    from peft.tuners.lora import LoraLayer
    if isinstance(model, LoraLayer):
        model.merge()
        return model.get_base_layer()
    for name, module in list(model.named_modules()):
        if name and isinstance(module, LoraLayer):
            module.merge()
            _set_submodule(model, name, module.get_base_layer())
    return model


# -- gradual unfreezing ------------------------------------------------------------------------
class GradualUnfreezer:
    """Unfreeze layer groups from the head backwards, one more every ``interval`` iterations.

    At iteration ``i`` (0-based) the first ``min(len(groups), 1 + i // interval)`` groups
    train and every other parameter of the groups is frozen (Howard & Ruder, ACL 2018).
    Parameters outside all groups are left as they are (frozen by :func:`apply_finetune`).

    Args:
        model: the network.
        groups: list of groups, head first; a group is a pattern or a list of patterns.
        interval: iterations between two unfreezing steps (>= 1).

    Raises:
        ValueError: empty groups, ``interval`` < 1, or a pattern matching nothing.
    """

    def __init__(self, model: nn.Module, groups: Sequence[Union[str, Sequence[str]]],
                 interval: int) -> None:
        if not groups:
            raise ValueError('gradual unfreezing needs at least one group of modules')
        if int(interval) < 1:
            raise ValueError(f'gradual unfreezing interval must be >= 1 iteration, got '
                             f'{interval}')
        self.interval = int(interval)
        self.group_names = [match_modules(model, g) for g in groups]
        self.params: List[List[nn.Parameter]] = [
            [p for n in names for p in model.get_submodule(n).parameters()]
            for names in self.group_names]
        self.last_iteration: Optional[int] = None

    def num_unfrozen(self, iteration: int) -> int:
        """Number of trainable groups at ``iteration``."""
        return min(len(self.params), 1 + int(iteration) // self.interval)

    def step(self, iteration: int) -> int:
        """Set ``requires_grad`` for ``iteration``; returns the number of trainable groups."""
        n = self.num_unfrozen(iteration)
        for k, params in enumerate(self.params):
            for p in params:
                p.requires_grad_(k < n)
        self.last_iteration = int(iteration)
        return n


def get_gradual_unfreezer(model: nn.Module) -> Optional[GradualUnfreezer]:
    """The :class:`GradualUnfreezer` that :func:`apply_finetune` attached to ``model``."""
    return getattr(model, _UNFREEZER_ATTR, None)


# -- entry point -------------------------------------------------------------------------------
_KEYS: Dict[str, set] = {
    'full': set(),
    'head_only': {'head_modules'},
    'gradual': {'groups', 'interval'},
    'adapter': {'target_modules', 'bottleneck', 'reduction', 'act_cfg', 'trainable_modules'},
    'lora': {'target_modules', 'r', 'alpha', 'dropout', 'trainable_modules'},
}


def apply_finetune(model: nn.Module, cfg: Optional[dict]) -> nn.Module:
    """Prepare a pre-trained ``model`` for fine-tuning with the strategy of ``cfg`` (in place).

    Args:
        model: the pre-trained network (weights already loaded).
        cfg: ``None`` (= full) or ``dict(strategy=..., **options)``:

            * ``'full'``: no options;
            * ``'head_only'``: ``head_modules`` (patterns);
            * ``'gradual'``: ``groups`` (head first), ``interval`` (iterations); the
              unfreezer is attached to the model (:func:`get_gradual_unfreezer`) and starts
              at iteration 0 (group 0 trainable);
            * ``'adapter'``: ``target_modules``, ``bottleneck`` or ``reduction`` (4),
              ``act_cfg`` ('GELU'), ``trainable_modules`` (also trained, e.g. the head);
            * ``'lora'``: ``target_modules``, ``r`` (8), ``alpha`` (16), ``dropout`` (0),
              ``trainable_modules``.

    Returns:
        ``model`` (same object, modified).

    Raises:
        ValueError: unknown strategy, unknown or missing options, patterns matching nothing.
    """
    cfg = dict(strategy='full') if cfg is None else dict(cfg)
    strategy = cfg.pop('strategy', None)
    if strategy not in FINETUNE_STRATEGIES:
        raise ValueError(f'fine-tuning strategy must be one of {FINETUNE_STRATEGIES}, got '
                         f'{strategy!r}')
    unknown = set(cfg) - _KEYS[strategy]
    if unknown:
        raise ValueError(f'unknown options {sorted(unknown)} for fine-tuning strategy '
                         f'{strategy!r}; allowed: {sorted(_KEYS[strategy])}')
    required = {'head_only': ['head_modules'], 'gradual': ['groups', 'interval'],
                'adapter': ['target_modules'], 'lora': ['target_modules']}.get(strategy, [])
    missing = [k for k in required if k not in cfg]
    if missing:
        raise ValueError(f'fine-tuning strategy {strategy!r} needs {missing}')

    if strategy == 'full':
        for p in model.parameters():
            p.requires_grad_(True)
    elif strategy == 'head_only':
        freeze_all(model)
        unfreeze_modules(model, cfg['head_modules'])
    elif strategy == 'gradual':
        freeze_all(model)
        unfreezer = GradualUnfreezer(model, cfg['groups'], cfg['interval'])
        unfreezer.step(0)
        unfreezer.last_iteration = None  # not driven by a training loop yet
        object.__setattr__(model, _UNFREEZER_ATTR, unfreezer)
    elif strategy == 'adapter':
        freeze_all(model)
        trainable = cfg.pop('trainable_modules', None)
        if trainable:  # resolve before wrapping changes the names
            trainable = match_modules(model, trainable)
        names = insert_adapters(model, cfg.pop('target_modules'), **cfg)
        if trainable:
            renamed = {n: f'{n}.{BASE_LAYER}' for n in names}
            unfreeze_modules(model, [renamed.get(n, n) for n in trainable])
    else:
        trainable = cfg.pop('trainable_modules', None)
        if trainable:
            trainable = match_modules(model, trainable)
        names = apply_lora(model, cfg.pop('target_modules'), **cfg)
        freeze_all(model)
        for n, p in model.named_parameters():
            if '.lora_A.' in n or '.lora_B.' in n:
                p.requires_grad_(True)
        if trainable:
            renamed = {n: f'{n}.{BASE_LAYER}' for n in names}
            unfreeze_modules(model, [renamed.get(n, n) for n in trainable])
    return model
