"""Landsat radiometric conversions: DN -> radiance / reflectance, K1/K2 BT.

Landsat Level-1 products ship the band-average inverse of Planck's law as two
constants per thermal band.  The conversions are those of the USGS *Landsat 8
(L8) Data Users Handbook* (LSDS-1574), sections "Conversion to TOA Radiance",
"Conversion to TOA Reflectance" and "Conversion to Top of Atmosphere
Brightness Temperature" (section numbers differ between handbook versions,
so they are cited by title):

    L   = M_L * Q_cal + A_L                      (W m-2 sr-1 um-1)
    BT  = K2 / ln(K1 / L + 1)                    (K)
    rho' = M_rho * Q_cal + A_rho                 (TOA reflectance, no sun
                                                 angle correction)
    rho  = rho' / sin(theta_SE)                  (sun-elevation corrected)

The Landsat-8 values below are the ones every L8 Level-1 MTL file carries
(RADIANCE_MULT/ADD_BAND_10/11, K1/K2_CONSTANT_BAND_10/11,
REFLECTANCE_MULT/ADD_BAND_n); they are also listed in
``/work/shared/data/README.md`` section 1.  Full spectral-response Planck
integration belongs in a separate module; the names here are suffixed
``_k1k2`` / prefixed ``landsat8_`` to leave room for it.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    'LANDSAT8_TIRS', 'LANDSAT8_OLI_REFLECTANCE', 'radiance_to_bt_k1k2',
    'bt_to_radiance_k1k2', 'landsat8_dn_to_radiance', 'landsat8_dn_to_bt',
    'landsat8_dn_to_toa_reflectance'
]

#: Landsat-8 TIRS rescaling and thermal constants (USGS L8 Data Users
#: Handbook LSDS-1574, "Conversion to TOA Radiance" and "... Brightness
#: Temperature"; identical in every L8 Level-1 MTL file).
#: ``mult``/``add`` in W m-2 sr-1 um-1 per DN, ``k1`` in W m-2 sr-1 um-1,
#: ``k2`` in K.
LANDSAT8_TIRS = {
    'B10': {'mult': 3.342e-4, 'add': 0.1, 'k1': 774.8853, 'k2': 1321.0789},
    'B11': {'mult': 3.342e-4, 'add': 0.1, 'k1': 480.8883, 'k2': 1201.1442},
}

#: Landsat-8 OLI reflectance rescaling, the same for bands 1-9 (USGS L8 Data
#: Users Handbook LSDS-1574, "Conversion to TOA Reflectance";
#: REFLECTANCE_MULT/ADD_BAND_n in the MTL).
LANDSAT8_OLI_REFLECTANCE = {'mult': 2.0e-5, 'add': -0.1}


def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f'{name} must be a positive finite number, got '
                         f'{value!r}')
    return value


def radiance_to_bt_k1k2(radiance, k1: float, k2: float) -> np.ndarray:
    """Brightness temperature from spectral radiance with K1/K2 constants.

    ``BT = K2 / ln(K1 / L + 1)`` (USGS L8 Data Users Handbook, "Conversion to
    Top of Atmosphere Brightness Temperature").

    Args:
        radiance: TOA spectral radiance ``L`` in W m-2 sr-1 um-1, any shape.
        k1: Band constant K1 in W m-2 sr-1 um-1 (e.g. 774.8853 for L8 B10).
        k2: Band constant K2 in K (e.g. 1321.0789 for L8 B10).

    Returns:
        float64 array of the input's shape, BT in K.  Non-positive or
        non-finite radiances give NaN.

    Raises:
        ValueError: ``k1`` or ``k2`` is not a positive finite number.
    """
    k1 = _check_positive('k1', k1)
    k2 = _check_positive('k2', k2)
    rad = np.asarray(radiance, dtype=np.float64)
    ok = np.isfinite(rad) & (rad > 0)
    safe = np.where(ok, rad, 1.0)
    bt = k2 / np.log(k1 / safe + 1.0)
    return np.where(ok, bt, np.nan)


def bt_to_radiance_k1k2(bt, k1: float, k2: float) -> np.ndarray:
    """Spectral radiance from brightness temperature (inverse of the above).

    ``L = K1 / (exp(K2 / BT) - 1)``.

    Args:
        bt: Brightness temperature in K, any shape.
        k1: Band constant K1 in W m-2 sr-1 um-1.
        k2: Band constant K2 in K.

    Returns:
        float64 array, radiance in W m-2 sr-1 um-1; non-positive or
        non-finite BT gives NaN.

    Raises:
        ValueError: ``k1`` or ``k2`` is not a positive finite number.
    """
    k1 = _check_positive('k1', k1)
    k2 = _check_positive('k2', k2)
    temp = np.asarray(bt, dtype=np.float64)
    ok = np.isfinite(temp) & (temp > 0)
    safe = np.where(ok, temp, 1.0)
    with np.errstate(over='ignore'):
        rad = k1 / np.expm1(k2 / safe)
    return np.where(ok, rad, np.nan)


def _dn_array(dn, fill_value) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(dn)
    if not (np.issubdtype(arr.dtype, np.integer)
            or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f'DN must be numeric, got dtype {arr.dtype}')
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    if np.any(arr[finite] < 0):
        raise ValueError('DN must be >= 0 (Landsat Level-1 DNs are unsigned '
                         f'16-bit), found minimum {arr[finite].min()}')
    valid = finite
    if fill_value is not None:
        valid = valid & (arr != fill_value)
    return arr, valid


def landsat8_dn_to_radiance(dn, band: str = 'B10', mult: float | None = None,
                            add: float | None = None,
                            fill_value: float | None = 0) -> np.ndarray:
    """TOA spectral radiance from Landsat-8 Level-1 DNs.

    ``L = M_L * DN + A_L`` (USGS L8 Data Users Handbook, "Conversion to TOA
    Radiance").  For the
    TIRS bands ``M_L = 3.342e-4`` and ``A_L = 0.1``.

    Args:
        dn: Quantised calibrated DNs (uint16 in L1 files), any shape.
        band: Key of :data:`LANDSAT8_TIRS` giving the default ``mult``/``add``.
        mult: Override of ``M_L`` (W m-2 sr-1 um-1 per DN), e.g. from an MTL.
        add: Override of ``A_L`` (W m-2 sr-1 um-1).
        fill_value: DN marking fill (0 in Landsat L1); those pixels give NaN.
            ``None`` disables the check.

    Returns:
        float64 radiance in W m-2 sr-1 um-1, NaN at fill.

    Raises:
        ValueError: unknown ``band`` without both overrides, negative DNs or
            non-numeric input.
    """
    if mult is None or add is None:
        if band not in LANDSAT8_TIRS:
            raise ValueError(f'unknown Landsat-8 thermal band {band!r}; '
                             f'expected one of {sorted(LANDSAT8_TIRS)} or '
                             f'explicit mult and add')
        const = LANDSAT8_TIRS[band]
        mult = const['mult'] if mult is None else mult
        add = const['add'] if add is None else add
    arr, valid = _dn_array(dn, fill_value)
    return np.where(valid, float(mult) * arr + float(add), np.nan)


def landsat8_dn_to_bt(dn, band: str = 'B10',
                      fill_value: float | None = 0) -> np.ndarray:
    """Brightness temperature (K) of a Landsat-8 TIRS band from its DNs.

    Chains :func:`landsat8_dn_to_radiance` and :func:`radiance_to_bt_k1k2`
    with the :data:`LANDSAT8_TIRS` constants of ``band``.

    Args:
        dn: TIRS DNs, any shape.
        band: ``'B10'`` or ``'B11'``.
        fill_value: DN marking fill (NaN in the output); None disables.

    Returns:
        float64 BT in K, NaN at fill.

    Raises:
        ValueError: unknown ``band`` or invalid DNs.
    """
    if band not in LANDSAT8_TIRS:
        raise ValueError(f'unknown Landsat-8 thermal band {band!r}; expected '
                         f'one of {sorted(LANDSAT8_TIRS)}')
    const = LANDSAT8_TIRS[band]
    rad = landsat8_dn_to_radiance(dn, band=band, fill_value=fill_value)
    return radiance_to_bt_k1k2(rad, const['k1'], const['k2'])


def landsat8_dn_to_toa_reflectance(dn, mult: float = 2.0e-5,
                                   add: float = -0.1,
                                   sun_elevation_deg: float | None = None,
                                   fill_value: float | None = 0
                                   ) -> np.ndarray:
    """Landsat-8 OLI TOA reflectance from Level-1 DNs.

    ``rho' = M_rho * DN + A_rho`` (USGS L8 Data Users Handbook, "Conversion to
    TOA Reflectance"),
    optionally divided by ``sin(sun elevation)`` to give the sun-angle
    corrected ``rho``.  Without the MTL sun elevation the uncorrected
    ``rho'`` is returned; ratio indices (NDVI, NDWI, NDBI) are unaffected by
    the missing common factor.

    Args:
        dn: OLI DNs (bands 1-9), any shape.
        mult: ``M_rho`` (reflectance per DN), 2.0e-5 for every OLI band.
        add: ``A_rho`` (reflectance), -0.1 for every OLI band.
        sun_elevation_deg: Scene-centre sun elevation in degrees, in (0, 90];
            None returns ``rho'``.
        fill_value: DN marking fill (NaN in the output); None disables.

    Returns:
        float64 reflectance (unitless), NaN at fill.

    Raises:
        ValueError: invalid DNs or a sun elevation outside (0, 90].
    """
    arr, valid = _dn_array(dn, fill_value)
    refl = float(mult) * arr + float(add)
    if sun_elevation_deg is not None:
        elev = float(sun_elevation_deg)
        if not 0 < elev <= 90:
            raise ValueError(f'sun_elevation_deg must be in (0, 90], got '
                             f'{sun_elevation_deg!r}')
        refl = refl / np.sin(np.deg2rad(elev))
    return np.where(valid, refl, np.nan)
