"""Plot training / validation curves from MMEngine's ``vis_data/scalars.json``.

    python tools/analysis/plot_log.py WORK_DIR_OR_SCALARS_JSON [--keys loss RMSE] --out curve.png

A work dir may hold several runs (one timestamped folder each, e.g. a run and its ``--resume``);
their records are merged in time order, a later run overriding the iterations it repeats. Each key
gets its own panel against the iteration; validation records are placed at the last training
iteration logged before them (:mod:`groklst.analysis.training_log`). Units are those logged
(loss: normalized L1; RMSE, MAE, BIAS: K).
"""
import argparse
import sys
from typing import Dict, List, Tuple

from groklst.analysis.training_log import find_scalars, read_curves
from groklst.visualization.curves import plot_curves


def main(argv=None) -> Dict[str, List[Tuple[int, float]]]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('path', help='work dir of tools/train.py or a scalars.json file')
    p.add_argument('--keys', nargs='+', default=['loss', 'RMSE'])
    p.add_argument('--out', default='curve.png')
    args = p.parse_args(argv)
    try:
        curves = read_curves(find_scalars(args.path), args.keys)
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'plot_log: {err}')
    missing = [k for k in args.keys if k not in curves]
    if missing:
        print(f'plot_log: keys not logged: {missing}')
    plot_curves(curves, args.out, title=args.path)
    print(f'wrote {args.out} ({", ".join(f"{k}: {len(v)} points" for k, v in curves.items())})')
    return curves


if __name__ == '__main__':
    main()
