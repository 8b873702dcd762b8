"""NDVI-threshold (NDVI^THM) land surface emissivity for Landsat-8 TIRS.

Method: Sobrino, J. A., Jiménez-Muñoz, J. C., Sòria, G., et al. (2008),
"Land surface emissivity retrieval from different VNIR and TIR sensors",
IEEE Trans. Geosci. Remote Sens. 46(2):316-327, Sect. III-B (NDVI^THM):

* NDVI < NDVI_s (bare soil):        eps = eps_s
* NDVI_s <= NDVI <= NDVI_v (mixed):  eps = eps_v P_v + eps_s (1 - P_v) + C
  with P_v = ((NDVI - NDVI_s) / (NDVI_v - NDVI_s))**2 and the cavity term
  C = (1 - eps_s) eps_v F (1 - P_v), F = 0.55 (mean geometrical factor)
* NDVI > NDVI_v (full vegetation):  eps = eps_v
  with the global thresholds NDVI_s = 0.2 and NDVI_v = 0.5.

Sobrino et al. (2008) model bare soil from the red reflectance; here bare soil
takes the constant soil emissivity, the usual simplification for TIRS.  Water
is added as a fourth class: NDVI < 0 takes a water emissivity.

Band emissivities (TIRS B10 / B11):

* soil 0.9668 / 0.9747 and vegetation 0.9863 / 0.9896 from Yu, X., Guo, X.,
  Wu, Z. (2014), "Land surface temperature retrieval from Landsat 8 TIRS -
  comparison between radiative transfer equation-based method, split window
  algorithm and single channel method", Remote Sens. 6(10):9829-9852,
  emissivity section (values derived there for the TIRS response functions).
  The paper text was not reachable from this workspace; the four numbers were
  checked against the independent transcription in the CRAN package ``LST``
  (function ``E_Yu``, attributed to Yu et al. 2014).  The table number in the
  paper is therefore not verified here.
* water 0.991 / 0.986: band averages, computed in this project, of the
  laboratory water spectra of the ECOSTRESS spectral library v1 (Meerdink et
  al. 2019, Remote Sens. Environ. 230:111196; JHU spectra from Baldridge et
  al. 2009) over the nominal TIRS pass-bands 10.60-11.19 um and 11.50-12.51 um
  with a flat response and emissivity = 1 - reflectance: distilled water
  0.9910 / 0.9855, sea water 0.9907 / 0.9860, tap water 0.9910 / 0.9855
  (rounded to 3 decimals).  A response-weighted integration with the TIRS
  spectral response functions is left to the spectral module; only 0.03 % of
  the demo scene has NDVI < 0, so the choice barely matters there.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    'LANDSAT8_EMISSIVITY', 'NDVI_SOIL', 'NDVI_VEGETATION', 'NDVI_WATER',
    'CAVITY_FACTOR', 'ndvi', 'fractional_vegetation_cover',
    'ndvi_threshold_emissivity', 'landsat8_emissivity'
]

#: Soil / vegetation / water emissivities of TIRS B10 and B11 (see module
#: docstring for the sources: Yu et al. 2014 for soil and vegetation,
#: ECOSTRESS-library band averages for water).
LANDSAT8_EMISSIVITY = {
    'B10': {'soil': 0.9668, 'vegetation': 0.9863, 'water': 0.991},
    'B11': {'soil': 0.9747, 'vegetation': 0.9896, 'water': 0.986},
}
#: NDVI thresholds of NDVI^THM (Sobrino et al. 2008, Sect. III-B).
NDVI_SOIL = 0.2
NDVI_VEGETATION = 0.5
#: Below this NDVI a pixel is treated as water.
NDVI_WATER = 0.0
#: Mean geometrical (cavity) factor F of Sobrino et al. (2008).
CAVITY_FACTOR = 0.55


def ndvi(red, nir) -> np.ndarray:
    """Normalised difference vegetation index ``(nir - red) / (nir + red)``.

    Args:
        red: Red reflectance (OLI B4), any shape.
        nir: Near-infrared reflectance (OLI B5), same shape as ``red``.

    Returns:
        float64 NDVI; NaN where an input is NaN or ``nir + red <= 0``.

    Raises:
        ValueError: ``red`` and ``nir`` shapes differ.
    """
    red = np.asarray(red, dtype=np.float64)
    nir = np.asarray(nir, dtype=np.float64)
    if red.shape != nir.shape:
        raise ValueError(f'red and nir shapes differ: {red.shape} vs '
                         f'{nir.shape}')
    den = nir + red
    ok = np.isfinite(den) & (den > 0)
    return np.where(ok, (nir - red) / np.where(ok, den, 1.0), np.nan)


def fractional_vegetation_cover(ndvi_values, ndvi_soil: float = NDVI_SOIL,
                                ndvi_veg: float = NDVI_VEGETATION
                                ) -> np.ndarray:
    """Vegetation proportion ``P_v`` of Sobrino et al. (2008), in [0, 1].

    ``P_v = ((NDVI - NDVI_s) / (NDVI_v - NDVI_s))**2``.

    Args:
        ndvi_values: NDVI, any shape.
        ndvi_soil: NDVI of bare soil (0.2).
        ndvi_veg: NDVI of full vegetation (0.5).

    Returns:
        float64 array in [0, 1], NaN where NDVI is NaN.

    Raises:
        ValueError: ``ndvi_soil >= ndvi_veg``.
    """
    if not ndvi_soil < ndvi_veg:
        raise ValueError(f'ndvi_soil ({ndvi_soil}) must be < ndvi_veg '
                         f'({ndvi_veg})')
    x = np.asarray(ndvi_values, dtype=np.float64)
    scaled = np.clip((x - ndvi_soil) / (ndvi_veg - ndvi_soil), 0.0, 1.0)
    return scaled**2


def _check_emissivity(name: str, value: float) -> float:
    value = float(value)
    if not 0 < value <= 1:
        raise ValueError(f'{name} must be in (0, 1], got {value!r}')
    return value


def ndvi_threshold_emissivity(ndvi_values, emis_soil: float, emis_veg: float,
                              emis_water: float,
                              ndvi_soil: float = NDVI_SOIL,
                              ndvi_veg: float = NDVI_VEGETATION,
                              ndvi_water: float = NDVI_WATER,
                              cavity_factor: float = CAVITY_FACTOR
                              ) -> np.ndarray:
    """Single-band NDVI^THM emissivity (Sobrino et al. 2008) with water.

    Classes: ``NDVI < ndvi_water`` water; ``ndvi_water <= NDVI < ndvi_soil``
    bare soil; ``ndvi_soil <= NDVI <= ndvi_veg`` mixed pixel
    ``eps_v P_v + eps_s (1 - P_v) + (1 - eps_s) eps_v F (1 - P_v)``;
    ``NDVI > ndvi_veg`` full vegetation ``eps_v``.  The cavity term makes
    the emissivity jump by ``(1 - eps_s) eps_v F`` at ``ndvi_soil``, as in
    the original method; pass ``cavity_factor=0`` to drop it.

    Args:
        ndvi_values: NDVI, any shape.
        emis_soil, emis_veg, emis_water: Band emissivities in (0, 1].
        ndvi_soil, ndvi_veg: NDVI^THM thresholds (0.2, 0.5).
        ndvi_water: Water threshold (0.0).
        cavity_factor: Geometrical factor F (0.55); >= 0.

    Returns:
        float64 emissivity (unitless) of the input's shape, NaN where NDVI
        is NaN.

    Raises:
        ValueError: emissivities outside (0, 1], thresholds not ordered
            ``ndvi_water <= ndvi_soil < ndvi_veg``, or negative
            ``cavity_factor``.
    """
    es = _check_emissivity('emis_soil', emis_soil)
    ev = _check_emissivity('emis_veg', emis_veg)
    ew = _check_emissivity('emis_water', emis_water)
    if not ndvi_water <= ndvi_soil < ndvi_veg:
        raise ValueError(f'thresholds must satisfy ndvi_water <= ndvi_soil < '
                         f'ndvi_veg, got {ndvi_water}, {ndvi_soil}, '
                         f'{ndvi_veg}')
    if cavity_factor < 0:
        raise ValueError(f'cavity_factor must be >= 0, got {cavity_factor}')
    x = np.asarray(ndvi_values, dtype=np.float64)
    pv = fractional_vegetation_cover(x, ndvi_soil, ndvi_veg)
    mixed = ev * pv + es * (1 - pv) + (1 - es) * ev * cavity_factor * (1 - pv)
    eps = np.full(x.shape, np.nan)
    eps = np.where(x < ndvi_water, ew, eps)
    eps = np.where((x >= ndvi_water) & (x < ndvi_soil), es, eps)
    eps = np.where((x >= ndvi_soil) & (x <= ndvi_veg), mixed, eps)
    eps = np.where(x > ndvi_veg, ev, eps)
    return eps


def landsat8_emissivity(ndvi_values, table: dict | None = None,
                        **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """NDVI^THM emissivities of Landsat-8 TIRS bands 10 and 11.

    Args:
        ndvi_values: NDVI from OLI B4/B5, any shape.
        table: ``{'B10': {'soil', 'vegetation', 'water'}, 'B11': {...}}``;
            defaults to :data:`LANDSAT8_EMISSIVITY`.
        **kwargs: Thresholds / cavity factor for
            :func:`ndvi_threshold_emissivity`.

    Returns:
        ``(emis10, emis11)``, float64 arrays of the NDVI's shape (unitless).

    Raises:
        ValueError: as :func:`ndvi_threshold_emissivity`, or a malformed
            ``table``.
    """
    table = LANDSAT8_EMISSIVITY if table is None else table
    out = []
    for band in ('B10', 'B11'):
        try:
            vals = table[band]
            out.append(
                ndvi_threshold_emissivity(ndvi_values, vals['soil'],
                                          vals['vegetation'], vals['water'],
                                          **kwargs))
        except (KeyError, TypeError) as exc:
            raise ValueError(f'emissivity table needs {band} soil, vegetation '
                             f'and water entries ({exc})') from exc
    return out[0], out[1]
