"""Training-set simulator for LST/LSE retrieval (vectorised after the LUT).

A sample is (atmospheric profile, view zenith angle, surface spectrum,
surface temperature).  Everything atmospheric comes from the committed
LOWTRAN7 lookup table (``data/tables/lowtran_lut.npz``) and everything
surface-related from the committed band-emissivity table
(``data/tables/emissivity_bands.npz``, ECOSTRESS library), so simulation
needs neither gfortran nor the shared data folder.

Per sample:

* profile ``p`` drawn uniformly from the selected profile domain; view
  zenith ``theta`` uniform in ``view_angle_range`` (deg); band ``tau`` and
  ``L_up`` interpolated between the LUT angles linearly in sec(theta)
  (:func:`interp_view_angle`), ``L_down`` as is;
* spectrum ``s`` drawn uniformly from the selected surface classes (band
  emissivities of that spectrum = the labels ``lse``);
* ``Ts = T_air(p) + U(ts_offset_range)`` with ``T_air`` the profile's
  lowest-level temperature; default offsets -5..+15 K (the daytime
  land-surface range around the air temperature commonly used for
  split-window fits, e.g. Du et al. 2015 used T0-5..T0+20 K);
* at-sensor radiance by the band RTE, brightness temperature by the band
  inverse Planck, then Gaussian noise of standard deviation NEdT(band) added
  to the BT (NEdT is specified at 300 K; we use it at every temperature).

Domains (for teacher/student and source/target splits):

* profile domains (:data:`PROFILE_DOMAINS`): ``all`` (real ECMWF profiles
  and AFGL), ``humid_tropics`` (|lat| <= 30 deg and w >= 3 g cm-2),
  ``dry_midlatitudes`` (30 < |lat| <= 60 deg and w < 2 g cm-2), ``polar``
  (|lat| > 60 deg), ``ecmwf83``, ``ecmwf52``, ``afgl``; the ECMWF envelope
  and test profiles are never drawn;
* surface domains: any subset of ``manmade, npv, rock, soil, vegetation,
  water`` (default: the natural classes), with spectra whose minimum band
  emissivity is below ``min_emissivity`` (default 0.8) excluded.
"""

from __future__ import annotations

import hashlib
import json
import os
import os.path as osp
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ..physics.atmosphere import default_lut_path, load_lut
from ..physics.emissivity import default_emissivity_path, load_emissivity_table
from ..physics.srf import get_sensor
from ..physics.validation import check_interval, check_range

__all__ = ['PROFILE_DOMAINS', 'SimulationConfig', 'simulate',
           'profile_domain_mask', 'save_simulation', 'load_simulation',
           'table_digests', 'interp_view_angle', 'SIMULATOR_VERSION']

#: Version of the sampling and radiative-transfer code of :func:`simulate`;
#: part of every manifest and of the simulation cache key, so cached samples
#: of an older simulator are never reused.  2: view-angle interpolation in
#: sec(theta) (was linear in theta).
SIMULATOR_VERSION = 2

PROFILE_DOMAINS = ('all', 'humid_tropics', 'dry_midlatitudes', 'polar',
                   'ecmwf83', 'ecmwf52', 'afgl')
NATURAL_CLASSES = ('npv', 'rock', 'soil', 'vegetation', 'water')


@dataclass
class SimulationConfig:
    """Simulation settings (all recorded in the manifest)."""
    sensor: str = 'landsat8_tirs'
    n_samples: int = 100_000
    seed: int = 0
    profile_domain: str = 'all'
    surface_classes: tuple = NATURAL_CLASSES
    min_emissivity: float = 0.8
    view_angle_range: tuple = (0.0, 60.0)
    ts_offset_range: tuple = (-5.0, 15.0)
    noise: bool = True
    nedt: tuple | None = None  # per band, K; None: the sensor's
    lut_path: str | None = None
    emissivity_path: str | None = None
    extra: dict = field(default_factory=dict)


def profile_domain_mask(lut: dict, domain: str) -> np.ndarray:
    """Boolean mask over LUT profiles for a profile domain."""
    if domain not in PROFILE_DOMAINS:
        raise ValueError(f'unknown profile domain {domain!r}; known '
                         f'{PROFILE_DOMAINS}')
    kind = lut['kind']
    usable = np.isin(kind, ['real', 'standard'])
    lat = np.abs(lut['lat'])
    wvc = lut['wvc']
    if domain == 'all':
        return usable
    if domain == 'humid_tropics':
        return (kind == 'real') & (lat <= 30) & (wvc >= 3)
    if domain == 'dry_midlatitudes':
        return (kind == 'real') & (lat > 30) & (lat <= 60) & (wvc < 2)
    if domain == 'polar':
        return (kind == 'real') & (lat > 60)
    if domain == 'afgl':
        return kind == 'standard'
    return usable & (lut['source'] == domain)


def interp_view_angle(angles, theta):
    """Bracketing LUT-angle index and interpolation weight per sample angle.

    The weight is linear in the air mass sec(theta), not in theta: band
    transmittance and path radiance vary nearly linearly with the slant
    path length, so between the LUT nodes 0/15/30/45/60 deg this cuts the
    interpolation error about five-fold (AFGL tropical, TIRS B10, 52.5 deg:
    tau -0.0084 -> +0.0047, BT of a 300 K surface -0.12 -> +0.03 K against a
    direct LOWTRAN run; tools/retrieval/lut_angle_checks.py).

    Args:
        angles: (A,) increasing LUT view zenith angles, deg, < 90.
        theta: (N,) sample view zenith angles within ``[angles[0],
            angles[-1]]``, deg.

    Returns:
        ``(idx, w)``: (N,) int index of the lower node and (N,) weight of
        the upper node, so ``x = x[idx] (1 - w) + x[idx + 1] w``.
    """
    angles = np.asarray(angles, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    idx = np.clip(np.searchsorted(angles, theta) - 1, 0, angles.size - 2)
    sec = 1.0 / np.cos(np.radians(angles))
    w = ((1.0 / np.cos(np.radians(theta)) - sec[idx]) /
         (sec[idx + 1] - sec[idx]))
    return idx, w


def simulate(config: SimulationConfig, lut: dict | None = None,
             emis_table: dict | None = None) -> dict:
    """Draw ``config.n_samples`` samples; returns arrays plus a manifest.

    Returns:
        dict with ``bt`` (N, B) K (noisy when ``config.noise``), ``bt_clean``,
        ``radiance`` (N, B) W m-2 sr-1 um-1, ``lst`` (N,) K, ``lse`` (N, B),
        ``wvc`` (N,) g cm-2, ``view_angle`` (N,) deg, ``tau``, ``l_up``,
        ``l_down`` (N, B), ``t_air`` (N,), ``profile_index``,
        ``spectrum_index`` (N,) int, ``surface_class`` (N,) str, and
        ``manifest`` (dict).

    Raises:
        ValueError: ``n_samples`` <= 0; reversed (lo > hi) or non-finite
            ``view_angle_range`` / ``ts_offset_range``; view angles outside
            the LUT angles; negative or non-finite NEdT; unknown or empty
            profile/surface selection.
        KeyError: the LUT has no tables for ``config.sensor``.
    """
    where = 'simulate'
    a_lo, a_hi = check_interval(config.view_angle_range, 'view_angle_range',
                                where, unit='deg')
    o_lo, o_hi = check_interval(config.ts_offset_range, 'ts_offset_range',
                                where, unit='K')
    lut = load_lut(config.lut_path) if lut is None else lut
    emis_table = (load_emissivity_table(config.emissivity_path)
                  if emis_table is None else emis_table)
    sensor = get_sensor(config.sensor)
    for band in sensor.bands:  # build the band Planck tables (one-off)
        band.planck
    # timed part: sampling + radiative transfer (tables already in memory)
    t_start = time.perf_counter()
    key = config.sensor
    if f'{key}__tau' not in lut:
        raise KeyError(f'the LUT has no tables for sensor {key!r}')
    nb = len(sensor.bands)
    n = int(config.n_samples)
    if n <= 0:
        raise ValueError('n_samples must be positive')
    rng = np.random.default_rng(config.seed)

    prof_ok = np.nonzero(profile_domain_mask(lut, config.profile_domain))[0]
    if prof_ok.size == 0:
        raise ValueError(f'profile domain {config.profile_domain!r} is empty')
    emis_all = emis_table[key].astype(np.float64)
    classes = emis_table['classes']
    bad = set(config.surface_classes) - set(np.unique(classes))
    if bad:
        raise ValueError(f'unknown surface classes {sorted(bad)}')
    spec_ok = np.nonzero(np.isin(classes, list(config.surface_classes)) &
                         (emis_all.min(axis=1) >= config.min_emissivity))[0]
    if spec_ok.size == 0:
        raise ValueError('no spectrum satisfies the surface selection')

    p_idx = prof_ok[rng.integers(0, prof_ok.size, n)]
    s_idx = spec_ok[rng.integers(0, spec_ok.size, n)]
    angles = lut['view_angles']
    if not (angles[0] <= a_lo <= a_hi <= angles[-1]):
        raise ValueError(f'view_angle_range must lie within the LUT angles '
                         f'{angles[0]}-{angles[-1]} deg')
    theta = rng.uniform(a_lo, a_hi, n)
    t_air = lut['t_air'][p_idx]
    lst = t_air + rng.uniform(o_lo, o_hi, n)
    lse = emis_all[s_idx]

    ia, wa = interp_view_angle(angles, theta)
    tau_t, lup_t = lut[f'{key}__tau'], lut[f'{key}__lup']
    tau = (tau_t[p_idx, ia] * (1 - wa)[:, None] +
           tau_t[p_idx, ia + 1] * wa[:, None])
    l_up = (lup_t[p_idx, ia] * (1 - wa)[:, None] +
            lup_t[p_idx, ia + 1] * wa[:, None])
    l_down = lut[f'{key}__ldown'][p_idx]

    radiance = np.empty((n, nb))
    bt_clean = np.empty((n, nb))
    for j, band in enumerate(sensor.bands):
        b_s = band.planck.radiance(lst)
        radiance[:, j] = tau[:, j] * (lse[:, j] * b_s + (1 - lse[:, j]) *
                                      l_down[:, j]) + l_up[:, j]
        bt_clean[:, j] = band.planck.brightness_temperature(radiance[:, j])
    nedt = check_range(config.nedt if config.nedt is not None else
                       sensor.nedt, 'nedt', where, low=0.0, unit='K')
    if nedt.shape != (nb,):
        raise ValueError(f'nedt must have {nb} values')
    bt = bt_clean + (rng.standard_normal((n, nb)) * nedt
                     if config.noise else 0.0)
    elapsed = time.perf_counter() - t_start

    out = {
        'bt': bt, 'bt_clean': bt_clean, 'radiance': radiance, 'lst': lst,
        'lse': lse, 'wvc': lut['wvc'][p_idx], 'view_angle': theta,
        'tau': tau, 'l_up': l_up, 'l_down': l_down, 't_air': t_air,
        'profile_index': p_idx, 'spectrum_index': s_idx,
        'surface_class': classes[s_idx],
    }
    cfg = asdict(config)
    cfg['surface_classes'] = list(config.surface_classes)
    out['manifest'] = {
        'sensor': config.sensor,
        'bands': sensor.band_names,
        'nedt_k': nedt.tolist(),
        'n_samples': n,
        'seed': config.seed,
        'config': cfg,
        'counts': {
            'profiles_available': int(prof_ok.size),
            'spectra_available': int(spec_ok.size),
            'per_class': {c: int((classes[s_idx] == c).sum())
                          for c in config.surface_classes},
        },
        'ranges': {
            'lst_k': [float(lst.min()), float(lst.max())],
            'wvc_g_cm2': [float(out['wvc'].min()), float(out['wvc'].max())],
            'view_angle_deg': [float(theta.min()), float(theta.max())],
            'bt_k': [float(np.nanmin(bt)), float(np.nanmax(bt))],
        },
        'lut': osp.relpath(config.lut_path or default_lut_path()),
        **table_digests(config),
        'simulator_version': SIMULATOR_VERSION,
        'seconds': elapsed,
        'samples_per_second': n / elapsed if elapsed > 0 else float('inf'),
    }
    return out


def _sha1(path: str) -> str:
    h = hashlib.sha1()
    with open(path, 'rb') as f:
        h.update(f.read())
    return h.hexdigest()


_DIGESTS: dict = {}


def table_digests(config: SimulationConfig) -> dict:
    """SHA-1 of the LOWTRAN lookup table and the emissivity table a config
    simulates from (its ``lut_path`` / ``emissivity_path`` or the committed
    defaults): ``{'lut_sha1': ..., 'emissivity_sha1': ...}``.

    Simulated samples depend on these files as much as on the config, so
    caches key on both (a regenerated table never reuses stale samples).
    Digests are memoised per path, size and modification time.

    Raises:
        FileNotFoundError: a table file does not exist.
    """
    out = {}
    for name, path in (('lut_sha1', config.lut_path or default_lut_path()),
                       ('emissivity_sha1',
                        config.emissivity_path or default_emissivity_path())):
        st = os.stat(path)
        key = (osp.abspath(path), st.st_size, st.st_mtime_ns)
        if key not in _DIGESTS:
            _DIGESTS[key] = _sha1(path)
        out[name] = _DIGESTS[key]
    return out


def save_simulation(result: dict, out_path: str) -> tuple[str, str]:
    """Write ``<out>.npz`` and ``<out>.manifest.json``; return both paths."""
    base = out_path[:-4] if out_path.endswith('.npz') else out_path
    os.makedirs(osp.dirname(osp.abspath(base)), exist_ok=True)
    arrays = {k: v for k, v in result.items() if k != 'manifest'}
    npz = base + '.npz'
    np.savez_compressed(npz, **arrays)
    manifest = dict(result['manifest'])
    manifest['arrays'] = {k: list(np.shape(v)) for k, v in arrays.items()}
    manifest['npz_sha1'] = _sha1(npz)
    js = base + '.manifest.json'
    with open(js, 'w') as f:
        json.dump(manifest, f, indent=2, default=str)
    return npz, js


def load_simulation(path: str) -> dict:
    """Load a simulation npz (and its manifest when present)."""
    base = path[:-4] if path.endswith('.npz') else path
    with np.load(base + '.npz', allow_pickle=False) as data:
        out = {k: data[k] for k in data.files}
    if osp.isfile(base + '.manifest.json'):
        with open(base + '.manifest.json') as f:
            out['manifest'] = json.load(f)
    return out
