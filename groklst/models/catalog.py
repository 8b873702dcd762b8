"""The catalog of groklst models: every registered generator, the classic baselines and the
retrieval heads, with kind, scales, parameter count and paper (``tools/analysis/list_models.py``).

For every generator registered in ``groklst.registry.MODELS`` (a class declaring
``model_kind``) :func:`list_models` gives the kind, the supported scales, the parameter count of
the model built with its default (paper) hyper-parameters at x4 and the paper. The models are
built on PyTorch's ``meta`` device when possible (no memory, no initialisation cost) and on the
CPU otherwise. The classic baselines are listed with kind ``classic``:
``Downscaler(generator=None)`` with bicubic or bilinear interpolation (zero parameters) and every
registered per-scene sharpener (subclasses of ``PerSceneSharpener``: TsHARP, DisTrad, DMS,
PixTransform-fit...), which fit each test tile at predict time and so work at any integer scale
(listed at the benchmark scales x2/x4/x8 unless the class declares ``supported_scales``); their
parameter count is what the model holds before any fit (0: nothing is learned from a training
split). Retrieval models (kind ``retrieval``: tabular BT/WVC/LSE -> LST/LSE regressors) have no
scale and their size depends on the inputs a config names, so they are listed with their paper
only.

The registered parts that a generator builds from config are listed only when asked for:
``kind='neck'`` (fusion necks, ``neck=dict(type=...)``) and ``kind='head'`` (reconstruction heads,
``head=dict(type=...)``, with their scales, and the retrieval regression head); their size
depends on the host's widths, so no parameter count is given.
"""
import inspect
import sys
from typing import Dict, List, Optional

import torch

from groklst.registry import MODELS
from groklst.utils import register_all_modules

CLASSIC = [
    dict(name='bicubic', kind='classic', scales=[2, 4, 8], params_x4=0,
         paper='Keys, "Cubic Convolution Interpolation for Digital Image Processing", '
               'IEEE TASSP 1981', module='groklst.models.downscalers.downscaler'),
    dict(name='bilinear', kind='classic', scales=[2, 4, 8], params_x4=0,
         paper='bilinear interpolation (classical)',
         module='groklst.models.downscalers.downscaler'),
]


#: Guidance band count K given to guided generators whose ``guidance_channels`` has no default
#: (both the GrokLST benchmark and the Landsat-8 demo have 10 guidance bands).
DEFAULT_GUIDANCE_CHANNELS = 10


def count_params(cls, scale: int = 4) -> int:
    """Parameters of ``cls(scale=scale)`` with default arguments (meta device first); a required
    ``guidance_channels`` gets :data:`DEFAULT_GUIDANCE_CHANNELS`."""
    kwargs = dict(scale=scale)
    param = inspect.signature(cls.__init__).parameters.get('guidance_channels')
    if param is not None and param.default is inspect.Parameter.empty:
        kwargs['guidance_channels'] = DEFAULT_GUIDANCE_CHANNELS
    try:
        with torch.device('meta'):
            model = cls(**kwargs)
    except Exception:  # some constructors compute on tensors; build for real
        model = cls(**kwargs)
    return sum(p.numel() for p in model.parameters())


#: Scales listed for per-scene sharpeners that do not declare ``supported_scales``.
PER_SCENE_SCALES = (2, 4, 8)

#: Kinds of registered parts (built inside a generator): listed only when asked for.
PART_KINDS = ('neck', 'head')


def list_models(kind: Optional[str] = None) -> List[Dict]:
    """Rows for all registered generators and per-scene sharpeners (sorted by kind, then name)
    after the interpolation baselines; only those of ``kind`` when given (nothing else is built).

    Each row is a dict with ``name``, ``kind`` (sisr, gisr, classic, retrieval...), ``scales``
    (list of int), ``params_x4`` (int, or None when not built at x4), ``paper`` and ``module``.

    A model that lists x4 but cannot be built with its defaults is still listed, with
    ``params_x4=None`` and the reason under ``error`` (and a warning on stderr).
    """
    register_all_modules()
    from groklst.models.classic.base import PerSceneSharpener
    rows = []
    for name, cls in sorted(MODELS.module_dict.items()):
        if not isinstance(cls, type):  # registered functions
            continue
        per_scene = issubclass(cls, PerSceneSharpener)
        model_kind = getattr(cls, 'model_kind', 'classic' if per_scene else None)
        if model_kind is None or (kind and model_kind != kind):
            continue  # wrappers, losses, data preprocessors; other kinds
        if not kind and model_kind in PART_KINDS:
            continue  # necks and heads only when asked for
        default_scales = PER_SCENE_SCALES if per_scene else ()
        scales = [int(s) for s in getattr(cls, 'supported_scales', default_scales)]
        row = dict(name=name, kind=model_kind, scales=scales, params_x4=None,
                   paper=getattr(cls, 'paper', ''), module=cls.__module__)
        if 4 in scales and model_kind not in PART_KINDS:
            try:
                row['params_x4'] = count_params(cls, 4)
            except Exception as exc:  # noqa: BLE001  (report, keep listing the others)
                row['error'] = f'{type(exc).__name__}: {exc}'
                print(f'warning: cannot build {name} at x4 with defaults: {row["error"]}',
                      file=sys.stderr)
        rows.append(row)
    rows.sort(key=lambda r: (r['kind'], r['name'].lower()))
    return [r for r in CLASSIC if not kind or r['kind'] == kind] + rows
