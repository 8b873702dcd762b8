"""MMEngine training logs of a work dir: the ``vis_data/scalars.json`` files that ``LoggerHook``
writes (one JSON record per line) and what is read from them.

A work dir may hold several runs (one timestamped folder each, e.g. a run and its ``--resume``).
Validation records carry no ``iter`` (MMEngine logs them with ``step`` = epoch, 0 in
iteration-based runs unless ``LoggerHook(log_metric_by_epoch=False)``), so they are placed at the
last training iteration logged before them. Units are those logged (loss: normalized L1; RMSE,
MAE, BIAS: K; time: s per iteration).
"""
import glob
import json
import os.path as osp
import statistics
from typing import Dict, List, Optional, Sequence, Tuple


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


def seconds_per_iter(work_dir: str) -> Optional[float]:
    """Median training ``time`` (s per iteration) over the logged windows of the newest run of
    ``work_dir``, the first (warm-up) window dropped; None when nothing is logged."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        return None
    times = []
    with open(logs[-1]) as f:
        for line in f:
            rec = json.loads(line)
            if 'time' in rec and 'loss' in rec:
                times.append(float(rec['time']))
    if len(times) > 1:
        times = times[1:]
    return statistics.median(times) if times else None
