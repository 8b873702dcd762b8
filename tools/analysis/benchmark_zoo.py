"""Train and test a list of configs with one short schedule and tabulate the results.

    python tools/analysis/benchmark_zoo.py [--suite sisr|gisr] [--configs CFG ...] [--iters 800]
        [--val-interval V] [--work-dir work_dirs/benchmark_zoo] [--out OUT.md]
        [--threads N] [--no-classic] [--keep-going] [--dry-run]

Suites (``--suite``, default ``sisr``) choose the default configs, classical baselines and output:

- ``sisr``: ``configs/sisr/*/*_x4_1xb4-*_landsat8-demo.py``; bicubic and bilinear;
  ``docs/benchmarks/sisr_x4_landsat8-demo.md``.
- ``gisr``: ``configs/gisr/*/*_x4_1xb4-*_landsat8-demo.py``, the MoCoLSK demo config and its
  ablations (``configs/mocolsk/demo-ablations/*.py``); bicubic and the per-scene classical
  sharpeners TsHARP, DisTrad, DMS and PixTransform-fit (those whose config exists);
  ``docs/benchmarks/gisr_x4_landsat8-demo.md``.

For every config:

1. train with ``tools/train.py`` in a subprocess; ``--cfg-options`` fix the schedule for all
   models: ``--iters`` iterations, validation and checkpoints every ``--val-interval``, the
   cosine schedule stretched to ``--iters`` (learning rate and batch as in the config);
2. test the best-on-val checkpoint (``best_RMSE_iter_*.pth``, selected on the val split) with
   ``tools/test.py`` on the test split;
3. count parameters and FLOPs (``model_complexity.py``; HR 128 x 128, the demo tile) and
   read the training time per iteration from the run's scalar log (median over logging
   windows, the first, warm-up window excluded).

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
import platform
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

import model_complexity  # noqa: E402

from mmengine.config import Config  # noqa: E402

DEFAULT_GLOB = 'configs/sisr/*/*_x4_1xb4-*_landsat8-demo.py'
CLASSIC = ['configs/classic/bicubic_x4_landsat8-demo.py',
           'configs/classic/bilinear_x4_landsat8-demo.py']
#: Default configs (globs), classical baselines (kept when the file exists), output and title.
SUITES = {
    'sisr': dict(globs=[DEFAULT_GLOB], classic=CLASSIC,
                 out='docs/benchmarks/sisr_x4_landsat8-demo.md',
                 title='SISR zoo on the Landsat-8 demo, x4 (120 m -> 30 m)'),
    'gisr': dict(globs=['configs/gisr/*/*_x4_1xb4-*_landsat8-demo.py',
                        'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py',
                        'configs/mocolsk/demo-ablations/*.py'],
                 # the (S, PPM) ablation row is the demo config itself: trained once
                 exclude=['configs/mocolsk/demo-ablations/'
                          'mocolsk-s-ppm_x4_1xb4-800it_landsat8-demo.py'],
                 classic=['configs/classic/bicubic_x4_landsat8-demo.py',
                          'configs/classic/tsharp_x4_landsat8-demo.py',
                          'configs/classic/distrad_x4_landsat8-demo.py',
                          'configs/classic/dms_x4_landsat8-demo.py',
                          'configs/classic/pixtransform-fit_x4_landsat8-demo.py'],
                 out='docs/benchmarks/gisr_x4_landsat8-demo.md',
                 title='GISR zoo on the Landsat-8 demo, x4 (120 m -> 30 m)'),
}
METRICS = ('RMSE', 'MAE', 'BIAS', 'CC', 'RSD')


def _name(config: str) -> str:
    return osp.splitext(osp.basename(config))[0]


def suite_configs(suite: str, classic: bool = True) -> List[str]:
    """Configs of ``suite`` (paths relative to the repository root): its existing classical
    baselines first (unless ``classic`` is False), then the sorted matches of its globs less
    the suite's ``exclude`` list.

    Raises:
        KeyError: an unknown suite.
    """
    spec = SUITES[suite]
    found = []
    for pattern in spec['globs']:
        found += sorted(osp.relpath(c, ROOT) for c in glob.glob(osp.join(ROOT, pattern)))
    base = [c for c in spec['classic'] if osp.isfile(osp.join(ROOT, c))] if classic else []
    skip = set(base) | set(spec.get('exclude', ()))
    return base + [c for c in dict.fromkeys(found) if c not in skip]


def per_scene_model(config: str) -> Optional[str]:
    """Model type of ``config`` when it is a per-scene sharpener (fitted on each test tile,
    nothing to train, see ``groklst.models.classic.base``), else None."""
    from groklst.models.classic.base import PerSceneSharpener
    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    model_type = Config.fromfile(osp.join(ROOT, config)).model.get('type')
    cls = MODELS.get(model_type) if isinstance(model_type, str) else model_type
    return model_type if isinstance(cls, type) and issubclass(cls, PerSceneSharpener) else None


def schedule_options(config: str, iters: int, val_interval: int) -> List[str]:
    """``--cfg-options`` that impose the common short schedule on ``config``."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    log_interval = max(1, min(20, iters // 10))
    opts = [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={val_interval}',
            f'default_hooks.checkpoint.interval={val_interval}',
            f'default_hooks.logger.interval={log_interval}',
            f'log_processor.window_size={log_interval}']
    sched = cfg.get('param_scheduler')
    scheds = sched if isinstance(sched, (list, tuple)) else [sched] if sched else []
    for i, s in enumerate(scheds):
        prefix = 'param_scheduler.' + (f'{i}.' if isinstance(sched, (list, tuple)) else '')
        if 'T_max' in s:
            opts.append(f'{prefix}T_max={iters}')
        if s.get('type') == 'CosineRestartLR' and 'periods' in s:
            opts.append(f'{prefix}periods=[{iters}]')
            opts.append(f'{prefix}restart_weights=[1]')
        if 'end' in s:
            opts.append(f'{prefix}end={iters}')
    return opts


def seconds_per_iter(work_dir: str) -> Optional[float]:
    """Median training ``time`` over the logged windows of the newest run, first one dropped."""
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
    per_scene = per_scene_model(config)
    if per_scene:  # fitted on each test tile: nothing to train, no fixed FLOP count
        row.update(generator=per_scene, params=0, flops=None, per_scene=True)
    else:
        cx = model_complexity.analyse(osp.join(ROOT, config), (128, 128), latency=False)
        row.update(generator=cx['generator'] or name.split('_')[0], params=cx['params'],
                   flops=cx['flops'])
    ckpt = None
    if row['params'] > 0:
        cmd = [py, 'tools/train.py', config, '--work-dir', wd, '--cfg-options',
               *schedule_options(config, args.iters, args.val_interval)]
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


def _fmt(v, spec: str) -> str:
    return '-' if v is None else format(v, spec)


def to_markdown(rows: List[Dict], args, threads: int) -> str:
    """Markdown table of the rows (suite ``args.suite``); per-scene sharpeners get their test
    wall time (fit + predict on every test tile) in the time column of the gisr suite."""
    gisr = getattr(args, 'suite', 'sisr') == 'gisr'
    lines = [
        f"# {SUITES[getattr(args, 'suite', 'sisr')]['title']}", '',
        'Generated by `python tools/analysis/benchmark_zoo.py '
        + ('--suite gisr ' if gisr else '') + f'--iters {args.iters} '
        f'--val-interval {args.val_interval}`: every learned model trained for {args.iters} '
        'iterations with the schedule of its demo config (AdamW, cosine decay, batch 4, 64 px '
        'HR crops), checkpoint chosen on the val split (lowest RMSE), metrics on the test '
        'split (per-image means over valid pixels; RMSE/MAE/BIAS in K). FLOPs for one '
        '32 x 32 -> 128 x 128 tile (FlopCounterMode, 1 MAC = 2 FLOPs). Training time per '
        f'iteration on {os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}'
        f'), torch threads {threads}.', '']
    if gisr:
        lines += ['Classical per-scene sharpeners (TsHARP, DisTrad, DMS, PixTransform-fit) are '
                  'not trained: they fit every test tile at predict time on the raw (not '
                  'normalized) guidance; their time column is the wall time of the whole test '
                  'run (fit + predict, all test tiles, process start included).', '']
    lines += [
        '| model | config | params | GFLOPs | train s/iter | RMSE (K) | MAE (K) | BIAS (K) '
        '| CC | RSD |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for r in rows:
        m = r.get('metrics') or {}
        if 'error' in r:
            lines.append(f"| {r.get('generator', r['name'])} | `{r['config']}` | | | | "
                         f"failed: {r['error']} | | | | |")
            continue
        n = r['params']
        params = f'{n / 1e6:.3f} M' if n >= 1e5 else f'{n / 1e3:.1f} K' if n else '0'
        flops = '-' if r.get('flops') is None else f"{r['flops'] / 1e9:.2f}"
        time_col = _fmt(r.get('train_s_per_iter'), '.3f')
        if gisr and r.get('per_scene'):
            time_col = f"test {_fmt(r.get('test_wall_s'), '.0f')} s"
        lines.append(
            f"| {r['generator']} | `{osp.basename(r['config'])}` | {params} | "
            f"{flops} | {time_col} | "
            + ' | '.join(_fmt(m.get(k), '.4f') for k in METRICS) + ' |')
    return '\n'.join(lines) + '\n'


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
        configs = suite_configs(args.suite, classic=not args.no_classic)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
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
    table = to_markdown(rows, args, threads)
    os.makedirs(osp.dirname(osp.join(ROOT, args.out)), exist_ok=True)
    with open(osp.join(ROOT, args.out), 'w') as f:
        f.write(table)
    with open(osp.splitext(osp.join(ROOT, args.out))[0] + '.json', 'w') as f:
        json.dump(rows, f, indent=1)
    print('\n' + table)
    print(f'{len(rows)} configs in {time.time() - start:.0f} s; table: {args.out}')
    return rows


if __name__ == '__main__':
    main()
