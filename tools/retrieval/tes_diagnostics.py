"""TES on the ECOSTRESS library: how its errors follow the MMD relation.

Runs ASTER TES on the noise-free radiance of every spectrum of the committed emissivity table and
tabulates its errors per class, for spectra that obey the MMD relation and those that do not
(:mod:`groklst.physics.diagnostics.tes`). Writes ``docs/physics/tes_diagnostics.md``.  Usage::

    .venv/bin/python tools/retrieval/tes_diagnostics.py
"""
import argparse
import os.path as osp
import sys

from groklst.fileio.text import publish
from groklst.physics.diagnostics.tes import markdown_lines, table_rows
from groklst.physics.emissivity import load_emissivity_table

PHYSICS_DOCS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                        'docs', 'physics')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=osp.join(PHYSICS_DOCS, 'tes_diagnostics.md'))
    args = parser.parse_args(argv)
    publish(markdown_lines(table_rows(load_emissivity_table())), args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
