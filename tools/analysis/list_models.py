"""List every downscaling model of groklst: registered generators and classic interpolation.

    python tools/analysis/list_models.py [--json] [--kind sisr|gisr|classic|retrieval]

For every generator registered in ``groklst.registry.MODELS`` (a class declaring
``model_kind``) it prints the kind, the supported scales, the parameter count of the model
built with its default (paper) hyper-parameters at x4 and the paper. The models are built on
PyTorch's ``meta`` device when possible (no memory, no initialisation cost) and on the CPU
otherwise. The classic baselines, ``Downscaler(generator=None)`` with bicubic or bilinear
interpolation, are listed with kind ``classic`` and zero parameters.
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

from groklst.registry import MODELS  # noqa: E402
from groklst.utils import register_all_modules  # noqa: E402

CLASSIC = [
    dict(name='bicubic', kind='classic', scales=[2, 4, 8], params_x4=0,
         paper='Keys, "Cubic Convolution Interpolation for Digital Image Processing", '
               'IEEE TASSP 1981', module='groklst.models.downscalers.downscaler'),
    dict(name='bilinear', kind='classic', scales=[2, 4, 8], params_x4=0,
         paper='bilinear interpolation (classical)',
         module='groklst.models.downscalers.downscaler'),
]


def count_params(cls, scale: int = 4) -> int:
    """Parameters of ``cls(scale=scale)`` with default arguments (meta device first)."""
    try:
        with torch.device('meta'):
            model = cls(scale=scale)
    except Exception:  # some constructors compute on tensors; build for real
        model = cls(scale=scale)
    return sum(p.numel() for p in model.parameters())


def collect() -> List[Dict]:
    """Rows for all registered generators (sorted by kind, then name) plus the classic ones.

    A generator that lists x4 but cannot be built with its defaults is still listed, with
    ``params_x4=None`` and the reason under ``error`` (and a warning on stderr).
    """
    register_all_modules()
    rows = []
    for name, cls in sorted(MODELS.module_dict.items()):
        kind = getattr(cls, 'model_kind', None)
        if kind is None:  # wrappers, losses, data preprocessors
            continue
        scales = [int(s) for s in getattr(cls, 'supported_scales', ())]
        row = dict(name=name, kind=kind, scales=scales, params_x4=None,
                   paper=getattr(cls, 'paper', ''), module=cls.__module__)
        if 4 in scales:
            try:
                row['params_x4'] = count_params(cls, 4)
            except Exception as exc:  # noqa: BLE001  (report, keep listing the others)
                row['error'] = f'{type(exc).__name__}: {exc}'
                print(f'warning: cannot build {name} at x4 with defaults: {row["error"]}',
                      file=sys.stderr)
        rows.append(row)
    rows.sort(key=lambda r: (r['kind'], r['name'].lower()))
    return CLASSIC + rows


def _fmt_params(n) -> str:
    if n is None:
        return '-'
    if n == 0:
        return '0'
    return f'{n / 1e6:.3f} M' if n >= 1e5 else f'{n / 1e3:.1f} K'


def main(argv=None) -> List[Dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--json', action='store_true', help='print JSON instead of a table')
    p.add_argument('--kind', help='only this kind (sisr, gisr, classic, retrieval)')
    args = p.parse_args(argv)
    rows = collect()
    if args.kind:
        rows = [r for r in rows if r['kind'] == args.kind]
    if args.json:
        print(json.dumps(rows, indent=1))
        return rows
    header = f"{'model':<14} {'kind':<9} {'scales':<9} {'params@x4':>11}  paper"
    print(header)
    print('-' * len(header))
    for r in rows:
        scales = ','.join(str(s) for s in r['scales'])
        print(f"{r['name']:<14} {r['kind']:<9} {scales:<9} {_fmt_params(r['params_x4']):>11}  "
              f"{r['paper']}")
    print(f'\n{len(rows)} models')
    return rows


if __name__ == '__main__':
    main()
