"""List every model of groklst: downscaling generators, classic baselines, retrieval heads.

    python tools/analysis/list_models.py [--json] [--kind sisr|gisr|classic|retrieval|neck|head]

Prints the kind, the supported scales, the parameter count at x4 (default, paper
hyper-parameters) and the paper of every model; ``--kind neck`` / ``--kind head`` list the
registered parts (fusion necks, reconstruction and regression heads), which the full listing
leaves out. See :mod:`groklst.models.catalog`.
"""
import argparse
import json
from typing import Dict, List

from groklst.analysis.complexity import format_params
from groklst.models.catalog import list_models


def main(argv=None) -> List[Dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--json', action='store_true', help='print JSON instead of a table')
    p.add_argument('--kind', help='only this kind (sisr, gisr, classic, retrieval; neck and head '
                   'list the registered parts, which the full listing leaves out)')
    args = p.parse_args(argv)
    rows = list_models(args.kind)
    if args.json:
        print(json.dumps(rows, indent=1))
        return rows
    header = f"{'model':<21} {'kind':<9} {'scales':<9} {'params@x4':>11}  paper"
    print(header)
    print('-' * len(header))
    for r in rows:
        scales = ','.join(str(s) for s in r['scales']) or '-'
        print(f"{r['name']:<21} {r['kind']:<9} {scales:<9} {format_params(r['params_x4']):>11}  "
              f"{r['paper']}")
    print(f'\n{len(rows)} models')
    return rows


if __name__ == '__main__':
    main()
