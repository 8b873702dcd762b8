"""Simulate a retrieval training set (BTs, WVC, tau/L_up/L_down, LST, LSE).

Uses only committed tables (``data/tables/lowtran_lut.npz`` and
``data/tables/emissivity_bands.npz``); see
:mod:`groklst.simulation.simulator` for the sampling design and domains.
Writes ``<out>.npz`` plus ``<out>.manifest.json`` (sensor, counts, seed,
ranges) and prints the throughput.

Examples (from the repository root)::

    .venv/bin/python tools/retrieval/simulate.py --sensor landsat8_tirs \\
        --n 200000 --seed 0 --out data/simulated/l8_all
    .venv/bin/python tools/retrieval/simulate.py --profile-domain \\
        humid_tropics --classes soil vegetation --out data/simulated/l8_tropics
"""

from __future__ import annotations

import argparse
import os.path as osp
import sys

from groklst.physics.srf import SENSORS
from groklst.simulation import PROFILE_DOMAINS, SimulationConfig, save_simulation, simulate
from groklst.simulation.simulator import NATURAL_CLASSES


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sensor', default='landsat8_tirs', choices=SENSORS)
    p.add_argument('--n', type=int, default=100_000, help='samples')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--profile-domain', default='all', choices=PROFILE_DOMAINS)
    p.add_argument('--classes', nargs='+', default=list(NATURAL_CLASSES))
    p.add_argument('--min-emissivity', type=float, default=0.8)
    p.add_argument('--view-angles', type=float, nargs=2, default=(0.0, 60.0),
                   metavar=('MIN', 'MAX'))
    p.add_argument('--ts-offset', type=float, nargs=2, default=(-5.0, 15.0),
                   metavar=('MIN', 'MAX'),
                   help='LST - air temperature range, K')
    p.add_argument('--no-noise', action='store_true')
    p.add_argument('--nedt', type=float, nargs='+', default=None)
    p.add_argument('--lut', default=None)
    p.add_argument('--out', default=osp.join('data', 'simulated',
                                             'simulation'))
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse_args(argv)
    cfg = SimulationConfig(
        sensor=a.sensor, n_samples=a.n, seed=a.seed,
        profile_domain=a.profile_domain, surface_classes=tuple(a.classes),
        min_emissivity=a.min_emissivity,
        view_angle_range=tuple(a.view_angles),
        ts_offset_range=tuple(a.ts_offset), noise=not a.no_noise,
        nedt=tuple(a.nedt) if a.nedt else None, lut_path=a.lut)
    res = simulate(cfg)
    npz, js = save_simulation(res, a.out)
    m = res['manifest']
    print(f'{m["n_samples"]} samples of {m["sensor"]} ({m["bands"]}) in '
          f'{m["seconds"]:.3f} s: {m["samples_per_second"]:,.0f} samples/s '
          f'(simulation only, tables loaded)')
    print(f'wrote {npz} and {js}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
