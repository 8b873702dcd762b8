"""Validate a downscaling dataset folder and print a report (exit code 1 when it has errors).

    python tools/dataset_converters/check_dataset.py DATA_ROOT [--scale 4] [--format mat|tif]
                                                     [--max-nan 0.5] [--hr-res 30m]
                                                     [--lst-range 180 360]

Two layouts are understood (``--format`` is guessed when omitted: ``splits.json`` -> tif,
a ``30m/`` folder -> mat): a GeoTIFF scene as read by ``RasterTileDataset`` (Landsat-8 demo
layout) and the GrokLST ``.mat`` release as read by ``GrokLSTDataset``. The checks (files open,
pairs complete, grids and scale consistent, band names, split indices, tiles inside the scene,
NaN fractions: all-NaN files are errors, files above ``--max-nan`` warnings; LST values not in
Kelvin are errors giving min / max / median and the likely unit) are those of
:mod:`groklst.datasets.check`.
"""
import argparse
import sys

from groklst.datasets.check import check_dataset
from groklst.datasets.validation import DEFAULT_LST_RANGE


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('data_root')
    p.add_argument('--scale', type=int, default=4, choices=(2, 4, 8))
    p.add_argument('--format', choices=('mat', 'tif'), default=None)
    p.add_argument('--max-nan', type=float, default=0.5,
                   help='warn above this NaN fraction per file (default 0.5)')
    p.add_argument('--hr-res', default='30m', help="HR folder of a GrokLST dataset ('30m')")
    p.add_argument('--lst-range', type=float, nargs=2, metavar=('LOW', 'HIGH'),
                   default=DEFAULT_LST_RANGE,
                   help='plausible LST in K (default %(default)s); files with no more than 1%% '
                        'of their values inside are errors')
    args = p.parse_args(argv)
    try:
        report = check_dataset(args.data_root, args.scale, args.max_nan, args.format,
                               args.hr_res, lst_range=tuple(args.lst_range))
    except ValueError as err:
        print(f'ERROR: {err}')
        return 1
    print(report.format_text())
    return 0 if report.ok else 1


if __name__ == '__main__':
    sys.exit(main())
