"""Train and test a list of configs with one short schedule and tabulate the results.

    python tools/analysis/benchmark_zoo.py [--suite sisr|gisr] [--configs CFG ...] [--iters 800]
        [--val-interval V] [--work-dir work_dirs/benchmark_zoo] [--out OUT.md]
        [--threads N] [--no-classic] [--keep-going] [--dry-run]

Suites (``--suite``, default ``sisr``) choose the default configs, classical baselines and output
(``sisr``: the SISR demo configs, bicubic and bilinear; ``gisr``: the GISR demo configs, MoCoLSK
demo and its ablations, bicubic and the per-scene sharpeners; see
:mod:`groklst.analysis.zoo_benchmark`).

For every config:

1. train with ``tools/train.py`` in a subprocess; ``--cfg-options`` fix the schedule for all
   models: ``--iters`` iterations, validation and checkpoints every ``--val-interval``, the
   cosine schedule stretched to ``--iters`` (learning rate and batch as in the config);
2. test the best-on-val checkpoint (``best_RMSE_iter_*.pth``, selected on the val split) with
   ``tools/test.py`` on the test split;
3. count parameters and FLOPs (:func:`groklst.analysis.complexity.analyse`; HR 128 x 128, the
   demo tile) and read the training time per iteration from the run's scalar log (median over
   logging windows, the first, warm-up window excluded).

The classic baselines of the suite are added unless ``--no-classic``. They are not trained:
interpolation has no parameters and per-scene sharpeners (``PerSceneSharpener``) fit every
test tile at predict time, so they are only tested (their FLOPs are not counted, their test
wall time is reported).
Writes a markdown table to ``--out`` and the raw numbers next to it (``.json``); subprocess
logs go to ``WORK_DIR/<config>/{train,test}.log``.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List

from groklst.analysis.complexity import analyse
from groklst.analysis.training_log import seconds_per_iter
from groklst.analysis.zoo_benchmark import (SUITES, per_scene_model, schedule_options,
                                            suite_configs, to_markdown)
from groklst.fileio.text import write_text

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _name(config: str) -> str:
    return osp.splitext(osp.basename(config))[0]


def run(cmd: List[str], log_file: str, env: Dict[str, str], dry_run: bool) -> float:
    """Run ``cmd`` from the repository root, output to ``log_file``; returns wall seconds.

    Raises:
        subprocess.CalledProcessError: when the command fails.
    """
    print('+', ' '.join(cmd), flush=True)
    if dry_run:
        return 0.0
    os.makedirs(osp.dirname(log_file), exist_ok=True)
    start = time.time()
    with open(log_file, 'w') as f:
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT, check=True)
    return time.time() - start


def benchmark_one(config: str, args, env: Dict[str, str]) -> Dict:
    """Train (unless classic), test and measure one config; returns its row."""
    py = sys.executable
    name = _name(config)
    wd = osp.join(args.work_dir, name)
    row = dict(config=config, name=name)
    per_scene = per_scene_model(config, ROOT)
    if per_scene:  # fitted on each test tile: nothing to train, no fixed FLOP count
        row.update(generator=per_scene, params=0, flops=None, per_scene=True)
    else:
        cx = analyse(osp.join(ROOT, config), (128, 128), latency=False)
        row.update(generator=cx['generator'] or name.split('_')[0], params=cx['params'],
                   flops=cx['flops'])
    ckpt = None
    if row['params'] > 0:
        cmd = [py, 'tools/train.py', config, '--work-dir', wd, '--cfg-options',
               *schedule_options(config, args.iters, args.val_interval, ROOT)]
        row['train_wall_s'] = run(cmd, osp.join(ROOT, wd, 'train.log'), env, args.dry_run)
        row['train_s_per_iter'] = seconds_per_iter(osp.join(ROOT, wd))
        best = sorted(glob.glob(osp.join(ROOT, wd, 'best_RMSE_iter_*.pth')),
                      key=lambda p: int(p.rsplit('_', 1)[1].split('.')[0]))
        ckpt = best[-1] if best else osp.join(ROOT, wd, f'iter_{args.iters}.pth')
        row['checkpoint'] = osp.relpath(ckpt, ROOT)
        row['best_on_val'] = bool(best)
    out = osp.join(wd, 'test_metrics.json')
    cmd = [py, 'tools/test.py', config] + ([ckpt] if ckpt else []) + [
        '--out', out, '--work-dir', osp.join(wd, 'test')]
    row['test_wall_s'] = run(cmd, osp.join(ROOT, wd, 'test.log'), env, args.dry_run)
    if not args.dry_run:
        with open(osp.join(ROOT, out)) as f:
            row['metrics'] = json.load(f)
    return row


def main(argv=None) -> List[Dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--suite', choices=sorted(SUITES), default='sisr',
                   help='default configs, classical baselines and output (default: sisr)')
    p.add_argument('--configs', nargs='+', help='configs (default: those of the suite)')
    p.add_argument('--iters', type=int, default=800, help='training iterations per model')
    p.add_argument('--val-interval', type=int, default=None,
                   help='validate/checkpoint every V iterations (default: iters // 4)')
    p.add_argument('--work-dir', default='work_dirs/benchmark_zoo')
    p.add_argument('--out', help='markdown table (default: docs/benchmarks/<suite>_x4_'
                   'landsat8-demo.md)')
    p.add_argument('--threads', type=int, default=0,
                   help='OMP_NUM_THREADS for the subprocesses (0: inherit)')
    p.add_argument('--no-classic', action='store_true',
                   help="skip the suite's classical baselines")
    p.add_argument('--keep-going', action='store_true', help='record failures and continue')
    p.add_argument('--dry-run', action='store_true', help='print the commands only')
    args = p.parse_args(argv)
    if args.val_interval is None:
        args.val_interval = max(1, args.iters // 4)
    if args.out is None:
        args.out = SUITES[args.suite]['out']
    if args.configs:
        classic = [c for c in SUITES[args.suite]['classic'] if osp.isfile(osp.join(ROOT, c))]
        configs = args.configs if args.no_classic else (
            classic + [c for c in args.configs if c not in classic])
    else:
        configs = suite_configs(args.suite, classic=not args.no_classic, root=ROOT)
    env = dict(os.environ)
    if args.threads > 0:
        env['OMP_NUM_THREADS'] = str(args.threads)
    import torch
    threads = args.threads or torch.get_num_threads()

    rows, start = [], time.time()
    for i, config in enumerate(configs, 1):
        print(f'[{i}/{len(configs)}] {config}', flush=True)
        try:
            rows.append(benchmark_one(config, args, env))
        except (subprocess.CalledProcessError, OSError, ValueError, KeyError) as exc:
            if not args.keep_going:
                raise
            print(f'  failed: {type(exc).__name__}: {exc}', flush=True)
            rows.append(dict(config=config, name=_name(config), error=type(exc).__name__))
    if args.dry_run:
        return rows
    table = to_markdown(rows, args.suite, args.iters, args.val_interval, threads)
    write_text(osp.join(ROOT, args.out), table)
    write_text(osp.splitext(osp.join(ROOT, args.out))[0] + '.json', json.dumps(rows, indent=1))
    print('\n' + table)
    print(f'{len(rows)} configs in {time.time() - start:.0f} s; table: {args.out}')
    return rows


if __name__ == '__main__':
    main()
