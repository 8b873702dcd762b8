"""View-angle checks of the LOWTRAN lookup table (Landsat-8 TIRS B10).

1. Interpolation between the LUT angles (needs gfortran): band tau and BT errors at mid angles,
   interpolated linearly in theta and in sec(theta), against a direct LOWTRAN run.
2. Optionally (``--old-lut``) the change of the committed table against an older one per view
   angle, e.g. the table made before view angles were taken at the surface::

       git show bdab58c~1:data/tables/lowtran_lut.npz > /tmp/old_lut.npz
       .venv/bin/python tools/retrieval/lut_angle_checks.py --old-lut /tmp/old_lut.npz

The checks are :mod:`groklst.physics.diagnostics.lut_angles`. Writes
``docs/physics/lut_angles.md``.  Usage::

    .venv/bin/python tools/retrieval/lut_angle_checks.py
"""
import argparse
import os.path as osp
import sys

from groklst.fileio.text import publish
from groklst.physics.diagnostics.lut_angles import (interpolation_rows, lut_change_rows,
                                                    markdown_lines)

PHYSICS_DOCS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                        'docs', 'physics')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--old-lut', default=None, help='older lowtran_lut.npz to compare')
    parser.add_argument('--out', default=osp.join(PHYSICS_DOCS, 'lut_angles.md'))
    args = parser.parse_args(argv)
    change = lut_change_rows(args.old_lut) if args.old_lut else None
    publish(markdown_lines(interpolation_rows(), change), args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
