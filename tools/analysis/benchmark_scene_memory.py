"""Scene downscaling memory benchmark: peak RSS and throughput, large scene against small.

Peak RSS and throughput of the scene API on a 20000 x 20000 10-band sparse scene against a
2000 x 2000 one (bounded memory at any size):

    python tools/analysis/benchmark_scene_memory.py [--work-dir work_dirs/scene_memory]
        [--sizes 2000 20000] [--models bicubic tsharp mocolsk] [--deep-tiles 3]
        [--checkpoint DEMO.pth] [--out docs/benchmarks/scene_memory.md]
    python tools/analysis/benchmark_scene_memory.py --tiny   # a smoke run in about a minute

Scenes, models and what each figure measures: :mod:`groklst.analysis.scene_memory`. Each
(model, size) runs in a fresh child process (this script with ``--run-one``), so that its peak
RSS belongs to that run alone. The table reports the load average of the machine before each
run: other processes on the same cores slow the figures down (not the memory). ``--tiny``
runs sizes 512 and 1024 with one deep-model patch, in a temporary work dir unless one is given:
a check that the benchmark works, not a figure to report.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

from groklst.analysis.scene_memory import (CONFIGS, MIN_SIZE, ROOT, build_scene, check_size,
                                           run_scene, to_markdown)
from groklst.fileio.text import write_text

TINY_SIZES = [MIN_SIZE, 2 * MIN_SIZE]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--work-dir', default=None,
                   help='scenes and outputs (default work_dirs/scene_memory; with --tiny a '
                        'temporary folder)')
    p.add_argument('--sizes', type=int, nargs='+', default=[2000, 20000],
                   help=f'scene sides in HR px (multiples of 4, >= {MIN_SIZE})')
    p.add_argument('--models', nargs='+', default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument('--checkpoint', default=None, help='demo MoCoLSK checkpoint (optional)')
    p.add_argument('--deep-tiles', type=int, default=3,
                   help='valid LR patches per axis for the deep model (default 3: 9 tiles)')
    p.add_argument('--tiny', action='store_true',
                   help=f'smoke run: sizes {TINY_SIZES}, --deep-tiles 1')
    p.add_argument('--out', default=None, help='write the table (markdown) here')
    p.add_argument('--run-one', nargs=2, metavar=('MODEL', 'SIZE'), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.tiny:
        args.sizes, args.deep_tiles = TINY_SIZES, 1
    try:
        args.sizes = [check_size(s) for s in args.sizes]
    except ValueError as exc:
        p.error(str(exc))
    return args


def _child(args, name: str, size: int, work_dir: str) -> dict:
    """Run one (model, size) in a fresh process; its result row."""
    cmd = [sys.executable, osp.abspath(__file__), '--run-one', name, str(size), '--work-dir',
           work_dir, '--deep-tiles', str(args.deep_tiles)]
    if args.checkpoint:
        cmd += ['--checkpoint', args.checkpoint]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    line = [x for x in r.stdout.splitlines() if x.startswith('RESULT ')]
    if r.returncode or not line:
        print(r.stdout + r.stderr, file=sys.stderr)
        raise SystemExit(f'{name} at {size}: child failed (exit {r.returncode})')
    return json.loads(line[0][len('RESULT '):])


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.run_one:
        row = run_scene(args.run_one[0], int(args.run_one[1]), args.work_dir, args.deep_tiles,
                        args.checkpoint)
        print('RESULT ' + json.dumps(row), flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix='scene_memory_') as tmp:
        work_dir = args.work_dir or (tmp if args.tiny else 'work_dirs/scene_memory')
        os.makedirs(work_dir, exist_ok=True)
        for size in args.sizes:
            t0 = time.perf_counter()
            build_scene(osp.join(work_dir, str(size)), size, args.deep_tiles)
            print(f'scene {size} x {size}: built in {time.perf_counter() - t0:.1f} s')
        rows = []
        for name in args.models:
            for size in args.sizes:
                load = os.getloadavg()[0]
                row = dict(_child(args, name, size, work_dir), load=load)
                rows.append(row)
                print(f"{name:8s} {size:6d}: peak RSS {row['peak_mb']:.0f} MB (after setup "
                      f"{row['setup_mb']:.0f} MB), {row['computed']}/{row['tiles']} tiles, "
                      f"{row['seconds']:.1f} s, {row['mpx_per_s']:.2f} Mpx/s, load {load:.2f}",
                      flush=True)
    table = to_markdown(rows, args.sizes, args.models)
    print(table)
    if args.out:
        write_text(args.out, table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
