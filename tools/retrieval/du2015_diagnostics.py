"""Locate the Du et al. (2015) split-window bias on our LOWTRAN simulations.

Compares the published Du (2015) and Jiménez-Muñoz (2014) coefficient sets on the same simulated
Landsat-8 brightness temperatures, on blackbodies, under changed equation conventions, and Du's
form refitted to our simulations (:mod:`groklst.physics.diagnostics.du2015`). Writes
``docs/physics/du2015_diagnostics.md`` and the refitted coefficients (fit seed) to
``data/tables/du2015_lowtran_refit.json``, usable as
``split_window_du2015(..., coefficients=load_du2015_table(path))`` and by
``tools/retrieve.py --du2015-table``.  Usage::

    .venv/bin/python tools/retrieval/du2015_diagnostics.py
"""
import argparse
import os.path as osp
import sys

from groklst.fileio.text import publish
from groklst.physics.diagnostics.du2015 import compute, markdown_lines, save_refit

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--samples', type=int, default=40000,
                        help='samples drawn per seed before the w filter')
    parser.add_argument('--out', default=osp.join(ROOT, 'docs', 'physics',
                                                  'du2015_diagnostics.md'))
    parser.add_argument('--refit-out', default=osp.join(
        ROOT, 'data', 'tables', 'du2015_lowtran_refit.json'))
    args = parser.parse_args(argv)
    res = compute(args.samples)
    publish(markdown_lines(res, args.samples), args.out)
    save_refit(res, args.refit_out)
    print(f'wrote {args.refit_out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
