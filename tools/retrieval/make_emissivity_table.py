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

from __future__ import annotations

import argparse
import csv
import os
import os.path as osp
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from groklst.physics.emissivity import (SPECTRUM_CLASSES,  # noqa: E402
                                        band_emissivities,
                                        read_ecostress_library)
from groklst.physics.srf import SENSORS, get_sensor  # noqa: E402

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
    classes = np.array([s.cls for s in spectra])
    arrays = {
        'names': np.array([s.name for s in spectra]),
        'files': np.array([osp.basename(s.path) for s in spectra]),
        'classes': classes,
    }
    rows = []
    for name in args.sensors:
        sensor = get_sensor(name)
        emis = band_emissivities(spectra, sensor)
        arrays[name] = emis.astype(np.float32)
        arrays[f'{name}__bands'] = np.array(sensor.band_names)
        for j, band in enumerate(sensor.band_names):
            for cls in SPECTRUM_CLASSES:
                vals = emis[classes == cls, j]
                if vals.size == 0:
                    continue
                p5, p50, p95 = np.percentile(vals, [5, 50, 95])
                rows.append([name, band, cls, vals.size,
                             f'{vals.mean():.4f}', f'{vals.std():.4f}',
                             f'{p5:.4f}', f'{p50:.4f}', f'{p95:.4f}'])
    os.makedirs(args.out_dir, exist_ok=True)
    npz = osp.join(args.out_dir, 'emissivity_bands.npz')
    np.savez_compressed(npz, **arrays)
    csv_path = osp.join(args.out_dir, 'emissivity_classes.csv')
    with open(csv_path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['sensor', 'band', 'class', 'n', 'mean', 'std',
                         'p05', 'median', 'p95'])
        writer.writerows(rows)
    print(f'wrote {npz} and {csv_path} ({len(rows)} rows) in '
          f'{time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
