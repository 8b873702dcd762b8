"""Band-averaged emissivities of the ECOSTRESS library per sensor and class.

Reads every spectrum in ``../shared/data/emissivity/ecostress_tir`` (never
copied into the repository), converts reflectance to emissivity
(``1 - R``, Kirchhoff), averages each over every band of every sensor of
:mod:`groklst.physics.srf` with the SRF as weight, and writes our computed
numbers:

* ``data/tables/emissivity_bands.npz`` - one row per spectrum: ``names``,
  ``files``, ``classes`` and, for each sensor, ``<sensor>`` (n_spectra x
  n_bands, float32) and ``<sensor>__bands``;
* ``data/tables/emissivity_classes.csv`` - per sensor, band and class:
  count, mean, standard deviation, 5th/50th/95th percentiles.

Cite the library when results depend on it: Meerdink, S. K., et al. (2019),
"The ECOSTRESS spectral library version 1.0", Remote Sens. Environ.
230:111196; Baldridge, A. M., et al. (2009), Remote Sens. Environ.
113:711-715.

Usage (from the repository root)::

    .venv/bin/python tools/retrieval/make_emissivity_table.py
"""

import argparse
import csv
import os
import os.path as osp
import sys
import time

import numpy as np

from groklst.physics.emissivity import (EMISSIVITY_CLASS_COLUMNS, emissivity_table,
                                        read_ecostress_library)
from groklst.physics.srf import SENSORS, get_sensor

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_LIBRARY = osp.join(ROOT, '..', 'shared', 'data', 'emissivity',
                           'ecostress_tir')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--library', default=DEFAULT_LIBRARY)
    parser.add_argument('--out-dir', default=osp.join(ROOT, 'data',
                                                      'tables'))
    parser.add_argument('--sensors', nargs='+', default=list(SENSORS))
    args = parser.parse_args(argv)

    t0 = time.time()
    spectra = read_ecostress_library(args.library)
    print(f'read {len(spectra)} spectra in {time.time() - t0:.1f} s')
    arrays, rows = emissivity_table(spectra, [get_sensor(n) for n in args.sensors])
    os.makedirs(args.out_dir, exist_ok=True)
    npz = osp.join(args.out_dir, 'emissivity_bands.npz')
    np.savez_compressed(npz, **arrays)
    csv_path = osp.join(args.out_dir, 'emissivity_classes.csv')
    with open(csv_path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(EMISSIVITY_CLASS_COLUMNS)
        writer.writerows(rows)
    print(f'wrote {npz} and {csv_path} ({len(rows)} rows) in '
          f'{time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
