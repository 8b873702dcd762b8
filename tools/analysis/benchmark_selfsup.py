"""Self-supervised downscaling benchmark (docs/selfsupervised.md): fit every method on the
benchmark's coarse scenes with tools/fit_scenes.py's library call, score it against the fine
reference (read by the scorer only) and print the table; or time the speed check.

    python tools/dataset_converters/selfsup_benchmark.py --out data/selfsup_benchmark
    python tools/analysis/benchmark_selfsup.py --bench data/selfsup_benchmark \\
        --work-dir work_dirs/selfsup_benchmark [--protocols p120 p240 p60x2] \\
        [--degradations sensor wald] [--methods bicubic tsharp ... | all] [--iters N] \\
        [--json rows.json] [--supervised CONFIG CHECKPOINT]
    python tools/analysis/benchmark_selfsup.py --speed --work-dir work_dirs/selfsup_speed

Methods: groklst/analysis/selfsup_benchmark.py (METHODS). Learned methods train 1500 iterations
each (minutes on 2 CPU cores).
"""
import argparse
import json
import os
import sys

from groklst.analysis.selfsup_benchmark import (METHODS, PROTOCOL_SCALES, format_table,
                                                run_selfsup_benchmark, run_speed_check,
                                                run_supervised_reference)
from groklst.fileio.text import write_text


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Self-supervised downscaling benchmark and speed '
                                            'check')
    p.add_argument('--bench', default='data/selfsup_benchmark', help='benchmark root')
    p.add_argument('--work-dir', required=True, help='where runs and outputs are written')
    p.add_argument('--protocols', nargs='+', default=['p120'], choices=sorted(PROTOCOL_SCALES))
    p.add_argument('--degradations', nargs='+', default=['sensor'], choices=['sensor', 'wald'])
    p.add_argument('--methods', nargs='+', default=['bicubic', 'tsharp', 'dms-ndvi',
                                                    'dms-10band', 'gdi-ndvi', 'gdi-ndvi-hard',
                                                    'gdi-ndvi-80m', 'gdi-10band'],
                   help=f"methods (or 'all'): {', '.join(METHODS)}")
    p.add_argument('--iters', type=int, default=None,
                   help='training iterations of learned methods (default: the configs\')')
    p.add_argument('--json', default=None, help='also write the rows to this JSON file')
    p.add_argument('--supervised', nargs=2, metavar=('CONFIG', 'CHECKPOINT'), default=None,
                   help='also apply a model trained with fine LST (the reference row, e.g. the '
                        'demo MoCoLSK) to the 10-band scenes of its scale')
    p.add_argument('--speed', action='store_true',
                   help='instead: time the default config on 100 synthetic scenes of 64 x 64 '
                        'coarse px (x4)')
    p.add_argument('--speed-scenes', type=int, default=100, help='scenes of the speed check')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.speed:
        res = run_speed_check(args.work_dir, n=args.speed_scenes, iters=args.iters)
        sec = res['seconds']
        print(f"speed: {res['n_scenes']} scenes fitted and written in {sec['total']:.1f} s ("
              + ', '.join(f'{k} {v:.1f} s' for k, v in sec.items() if k != 'total') + ')')
        return 0
    methods = list(METHODS) if args.methods == ['all'] else args.methods
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        print(f'benchmark_selfsup: error: unknown methods {unknown}; expected {list(METHODS)}',
              file=sys.stderr)
        return 2
    missing = [f for f in args.supervised or () if not os.path.isfile(f)]
    if missing:  # before hours of fitting, not after
        print(f'benchmark_selfsup: error: --supervised file not found: {missing[0]}',
              file=sys.stderr)
        return 1
    try:
        rows = run_selfsup_benchmark(args.bench, args.work_dir, args.protocols,
                                     args.degradations, methods, iters=args.iters)
        if args.supervised:
            rows += run_supervised_reference(args.bench, args.work_dir, *args.supervised,
                                             protocols=args.protocols,
                                             degradations=args.degradations,
                                             label='supervised on fine LST ('
                                             + args.supervised[0].split('/')[-1] + ')')
    except (FileNotFoundError, ValueError) as exc:
        print(f'benchmark_selfsup: error: {exc}', file=sys.stderr)
        return 1
    print(format_table(rows))
    if args.json:
        write_text(args.json, json.dumps(rows, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
