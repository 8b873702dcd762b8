"""The contract every downscaling generator (backbone) fulfils.

A generator maps normalized LR LST (B, 1, h, w) — and, when guided, HR guidance
(B, K, s·h, s·w) — to (B, 1, s·h, s·w). It never normalizes and never adds the interpolated LR:
the :class:`~groklst.models.downscalers.Downscaler` does both.
"""
import functools
import inspect
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule

from groklst.models.layers.resample import check_lr_guidance

__all__ = ['BaseGenerator']


class BaseGenerator(BaseModule):
    """Base class of the SISR and GISR generators.

    Class attributes (read by the ``Downscaler`` and ``tools/analysis/list_models.py``):

    - ``uses_guidance``: the forward signature is ``forward(lr, guidance)`` when True, else
      ``forward(lr)``;
    - ``model_kind``: 'sisr' or 'gisr';
    - ``supported_scales``: scale factors the architecture builds at;
    - ``paper``: author, title, venue and year of the method.

    Guided generators set ``self.guidance_channels`` (K) in their constructor.

    The constructor checks the scale once; a forward pre-hook checks the inputs once per call
    (:func:`~groklst.models.layers.resample.check_lr_guidance`: LR (B, 1, h, w), guidance
    (B, K, s·h, s·w) with the generator's K), so a subclass's ``forward`` holds only its
    network.

    Args:
        scale: scale factor s.
        init_cfg: MMEngine initialisation config.

    Raises:
        ValueError: ``scale`` not in ``supported_scales`` (construction); inputs rejected by
            :func:`check_lr_guidance` (forward).
    """

    uses_guidance: bool = False
    model_kind: Optional[str] = None
    supported_scales: Tuple[int, ...] = (2, 4, 8)
    paper: str = ''

    def __init__(self, scale: int, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.check_scale(scale)
        self.scale = int(scale)
        self.register_forward_pre_hook(BaseGenerator._input_check_hook, with_kwargs=True)

    @classmethod
    def check_scale(cls, scale: int) -> None:
        """Raise ValueError when ``scale`` is not one of ``supported_scales``."""
        if scale not in cls.supported_scales:
            raise ValueError(f'{cls.__name__} supports scales {tuple(cls.supported_scales)}, '
                             f'found {scale}')

    def check_inputs(self, lr: torch.Tensor, guidance: Optional[torch.Tensor] = None) -> None:
        """Check LR (B, 1, h, w) and, for guided generators, guidance (B, K, s·h, s·w).

        Raises:
            ValueError: see :func:`check_lr_guidance`.
        """
        check_lr_guidance(lr, guidance if self.uses_guidance else None, self.scale,
                          getattr(self, 'guidance_channels', None),
                          needs_guidance=self.uses_guidance, model_name=type(self).__name__)

    @staticmethod
    def _input_check_hook(module: 'BaseGenerator', args: tuple, kwargs: dict) -> None:
        """Forward pre-hook: find LR and guidance among the call's arguments (by position, or by
        the names of the subclass's ``forward`` parameters) and check them."""
        names = _input_names(type(module))
        found = list(args[:2]) + [kwargs.get(n) for n in names[len(args):2]]
        lr = found[0] if found else None
        if lr is None:  # no input: forward raises its own TypeError
            return
        module.check_inputs(lr, found[1] if len(found) > 1 else None)


@functools.lru_cache(maxsize=None)
def _input_names(cls: type) -> Tuple[str, ...]:
    """Names of the first two parameters of ``cls.forward`` after ``self`` (LR, guidance)."""
    return tuple(list(inspect.signature(cls.forward).parameters)[1:3])
