"""Plot training / validation curves from MMEngine's ``vis_data/scalars.json``.

    python tools/analysis/plot_log.py WORK_DIR_OR_SCALARS_JSON [--keys loss RMSE] --out curve.png

A work dir may hold several runs (one timestamped folder each, e.g. a run and its ``--resume``);
their records are merged in time order, a later run overriding the iterations it repeats. Each key
gets its own panel against the iteration. Validation records carry no ``iter`` (MMEngine logs
them with ``step`` = epoch, 0 in iteration-based runs unless ``LoggerHook(log_metric_by_epoch=
False)``), so they are placed at the last training iteration logged before them. Units are those logged (loss: normalized L1; RMSE, MAE,
BIAS: K).
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Sequence, Tuple


def find_scalars(path: str) -> List[str]:
    """``scalars.json`` files of a work dir (oldest run first) or the file itself.

    Raises:
        FileNotFoundError: nothing found (the path is named).
    """
    if osp.isfile(path):
        return [path]
    files = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    files += sorted(glob.glob(osp.join(path, 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no vis_data/scalars.json under {path!r} (is it a work dir of '
                                'tools/train.py?)')
    return files


def read_curves(paths: Sequence[str], keys: Sequence[str]) -> Dict[str, List[Tuple[int, float]]]:
    """Per key, the sorted (iteration, value) pairs of the given scalars files.

    Raises:
        ValueError: a line is not JSON (file and line number named); no key found at all.
    """
    curves: Dict[str, Dict[int, float]] = {k: {} for k in keys}
    for path in paths:
        last_iter = None
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as err:
                    raise ValueError(f'{path}:{n}: not a JSON line ({err})') from None
                it = rec.get('iter')
                if it is None:  # validation record: logged after the last training iteration
                    it = last_iter if last_iter is not None else rec.get('step')
                else:
                    last_iter = it
                for k in keys:
                    if k in rec and it is not None:
                        curves[k][int(it)] = float(rec[k])
    found = {k: sorted(v.items()) for k, v in curves.items() if v}
    if not found:
        raise ValueError(f'none of the keys {list(keys)} is logged in {list(paths)}')
    return found


def plot_curves(curves: Dict[str, List[Tuple[int, float]]], out: str, title: str = '') -> str:
    """Write one panel per key (value against iteration) to ``out`` (PNG) and return it."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(curves), 1, figsize=(7, 2.6 * len(curves)), squeeze=False,
                             sharex=True)
    for ax, (key, pts) in zip(axes[:, 0], curves.items()):
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker='o' if len(xs) < 30 else None, ms=3)
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel('iteration')
    if title:
        axes[0, 0].set_title(title)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


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
