"""Band-integrated vs single-wavelength Planck BT for every sensor band, 240-340 K.

Inverts each band's blackbody radiance at the SRF-weighted mean wavelength and at the minimax
wavelength (:mod:`groklst.physics.diagnostics.band_wavelengths`) and tabulates the largest
|BT error|. Writes ``docs/physics/band_wavelengths.md``.  Usage::

    .venv/bin/python tools/retrieval/band_wavelength_check.py
"""
import argparse
import os.path as osp
import sys

from groklst.fileio.text import publish
from groklst.physics.diagnostics.band_wavelengths import band_rows, markdown_lines

PHYSICS_DOCS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                        'docs', 'physics')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=osp.join(PHYSICS_DOCS, 'band_wavelengths.md'))
    args = parser.parse_args(argv)
    publish(markdown_lines(band_rows()), args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
