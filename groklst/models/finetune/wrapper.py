"""``FinetuneModel``: a registered model that loads pre-trained weights and applies a strategy.

Config use (``tools/train.py`` unchanged)::

    model = dict(type='FinetuneModel',
                 model=dict(type='MLPRetriever', ...),          # the pre-trained architecture
                 finetune=dict(strategy='lora', r=8, alpha=16, target_modules=['net.body.*']),
                 pretrained='work_dirs/source/best_RMSE.pth')    # or load_from= (see below)

Pre-trained weights come either from ``pretrained`` (loaded into the plain architecture before
the strategy changes it) or from the Runner's ``load_from``: a state dict of the plain
architecture (keys ``net.head.weight``) is renamed on loading to the wrapped layout
(``model.net.head.base_layer.weight``), so ``load_from=PRETRAINED.pth`` works for every
strategy. New parameters (adapters, LoRA factors) keep their initialisation (identity).
"""
import copy
from typing import Optional, Union

import torch.nn as nn
from mmengine.model import BaseModel

from groklst.registry import MODELS

from .strategies import apply_finetune, get_gradual_unfreezer, merge_lora, plain_parameter_name

__all__ = ['FinetuneModel']


@MODELS.register_module()
class FinetuneModel(BaseModel):
    """Wrap a groklst model (downscaler or retriever) for fine-tuning with one strategy.

    ``forward(inputs, data_samples, mode)`` and the data preprocessor are the wrapped model's,
    so datasets, metrics and the modes 'loss' / 'predict' / 'tensor' are unchanged.

    Args:
        model: config dict or module of the pre-trained architecture.
        finetune: strategy dict of :func:`groklst.models.finetune.strategies.apply_finetune`.
        pretrained: optional checkpoint (MMEngine ``.pth`` or plain state dict) of ``model``,
            loaded strictly before the strategy is applied.

    Raises:
        ValueError: as :func:`apply_finetune`.
        RuntimeError: ``strategy='gradual'`` trained without ``GradualUnfreezeHook`` (the
            schedule would never advance); a ``pretrained`` file that does not match
            ``model``.
    """

    def __init__(self, model: Union[dict, nn.Module], finetune: Optional[dict] = None,
                 pretrained: Optional[str] = None, init_cfg: Optional[dict] = None) -> None:
        inner = MODELS.build(model) if isinstance(model, dict) else model
        if pretrained:
            from mmengine.runner.checkpoint import _load_checkpoint
            from groklst.utils.compat import state_dict_from_checkpoint
            state = state_dict_from_checkpoint(_load_checkpoint(pretrained, map_location='cpu'))
            state = {k[len('module.'):] if k.startswith('module.') else k: v
                     for k, v in state.items()}
            try:
                inner.load_state_dict(state, strict=True)
            except RuntimeError as err:
                raise RuntimeError(f'pretrained checkpoint {pretrained} does not match '
                                   f'{type(inner).__name__}: {err}') from err
        super().__init__(data_preprocessor=getattr(inner, 'data_preprocessor', None),
                         init_cfg=init_cfg)
        self.finetune_cfg = dict(finetune or dict(strategy='full'))
        self.model = apply_finetune(inner, self.finetune_cfg)
        self._register_load_state_dict_pre_hook(self._rename_plain_keys)

    @property
    def unfreezer(self):
        """The gradual-unfreezing schedule (``None`` for the other strategies)."""
        return get_gradual_unfreezer(self.model)

    def init_weights(self) -> None:
        """No-op: the wrapped model is pre-trained and new modules are initialised at
        insertion (the Runner calls this before ``load_from``)."""

    def _rename_plain_keys(self, state_dict, prefix, *args) -> None:
        own = self.state_dict(keep_vars=True)
        by_plain = {}
        for key in own:
            if key.startswith('model.'):
                by_plain[plain_parameter_name(key[len('model.'):])] = key
        for key in list(state_dict):
            bare = key[len(prefix):] if key.startswith(prefix) else None
            if bare is None or bare in own:
                continue
            target = by_plain.get(bare)
            if target is not None and prefix + target not in state_dict:
                state_dict[prefix + target] = state_dict.pop(key)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        """The wrapped model's forward (same inputs, modes and outputs)."""
        if mode == 'loss' and self.training and self.finetune_cfg.get('strategy') == 'gradual' \
                and self.unfreezer.last_iteration is None:
            raise RuntimeError("strategy='gradual' needs custom_hooks=[dict(type="
                               "'GradualUnfreezeHook')] (or GradualUnfreezer.step(i) in your "
                               'loop) to advance the unfreezing schedule')
        return self.model(inputs, data_samples, mode=mode)

    def export(self) -> nn.Module:
        """A copy of the wrapped model with LoRA merged (plain layer names; adapters, which
        cannot be merged through their nonlinearity, are kept)."""
        return merge_lora(copy.deepcopy(self.model))
