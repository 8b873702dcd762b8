"""Compare LOWTRAN7 atmospheric functions with the JM2014 psi fits (L8 B10).

For every profile of ``data/tables/lowtran_lut.npz`` (nadir view) the exact atmospheric functions
of Landsat-8 TIRS band 10 are compared with the water-vapour fits of Jiménez-Muñoz et al. (2014),
with the LST consequence for the single-channel algorithm
(:mod:`groklst.physics.diagnostics.lowtran_psi`). Writes ``docs/physics/lowtran_vs_psi.md``.
Usage::

    .venv/bin/python tools/retrieval/compare_lowtran_psi.py
"""
import argparse
import os.path as osp
import sys

from groklst.fileio.text import publish
from groklst.physics.atmosphere import load_lut
from groklst.physics.diagnostics.lowtran_psi import compute, markdown_lines

PHYSICS_DOCS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                        'docs', 'physics')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--lut', default=None)
    parser.add_argument('--out', default=osp.join(PHYSICS_DOCS, 'lowtran_vs_psi.md'))
    args = parser.parse_args(argv)
    lut = load_lut(args.lut)
    publish(markdown_lines(lut, compute(lut)), args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
