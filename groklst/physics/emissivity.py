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

import os
import os.path as osp
import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    'Spectrum', 'SPECTRUM_CLASSES', 'read_ecostress_spectrum',
    'read_ecostress_library', 'band_emissivities', 'load_emissivity_table',
    'default_emissivity_path', 'emissivity_table', 'EMISSIVITY_CLASS_COLUMNS',
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



# ---------------------------------------------------------------------------
# ECOSTRESS spectral library (Meerdink et al. 2019; Baldridge et al. 2009)
# ---------------------------------------------------------------------------
#: Normalised surface classes (the library's "Type" header, lower-cased).
SPECTRUM_CLASSES = ('manmade', 'npv', 'rock', 'soil', 'vegetation', 'water')
_TYPE_ALIASES = {
    'manmade': 'manmade', 'man made': 'manmade',
    'non photosynthetic vegetation': 'npv',
    'nonphotosyntheticvegetation': 'npv',
    'non-photosynthetic vegetation': 'npv', 'npv': 'npv',
    'rock': 'rock', 'mineral': 'rock', 'soil': 'soil',
    'vegetation': 'vegetation', 'water': 'water',
}
_NUMBER_LINE = re.compile(
    r'^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[\s,;]+[-+]?(\d+\.?\d*|\.\d+)'
    r'([eE][-+]?\d+)?\s*$')


@dataclass(frozen=True, eq=False)
class Spectrum:
    """One laboratory spectrum.

    Attributes:
        name: The ``Name`` header (or the file stem).
        cls: Normalised class, one of :data:`SPECTRUM_CLASSES` (from the
            file-name prefix, else the ``Type`` header).
        klass: The library's ``Class`` header (e.g. ``'Concrete'``).
        path: File read.
        wavelength: Wavelength in um, strictly increasing.
        reflectance: Directional-hemispherical reflectance as a fraction.
        header: All ``key: value`` header entries (keys lower-case).
    """
    name: str
    cls: str
    klass: str
    path: str
    wavelength: np.ndarray
    reflectance: np.ndarray
    header: dict

    @property
    def emissivity(self) -> np.ndarray:
        """Kirchhoff's law for an opaque sample: ``1 - reflectance``."""
        return np.clip(1.0 - self.reflectance, 0.0, 1.0)


def _norm_key(key: str) -> str:
    return re.sub(r'\s+', ' ', key.strip().lower())


def _wavelength_scale(unit: str, path: str) -> str:
    u = unit.lower()
    if 'micro' in u or re.search(r'\bum\b|µm', u):
        return 'um'
    if 'nano' in u or re.search(r'\bnm\b', u):
        return 'nm'
    if 'wavenumber' in u or 'cm-1' in u or 'cm^-1' in u:
        return 'cm-1'
    raise ValueError(f'{path}: unsupported X unit {unit!r}')


def _reflectance_scale(unit: str, path: str) -> float:
    u = unit.lower()
    if 'reflect' not in u:  # covers the "Reflectence" misspelling
        raise ValueError(f'{path}: Y column is not a reflectance ({unit!r})')
    if 'percent' in u or '%' in u:
        return 0.01
    return 1.0


def read_ecostress_spectrum(path: str) -> Spectrum:
    """Parse one ECOSTRESS/ASTER-library spectrum text file.

    Tolerates: CRLF or LF line ends, Latin-1 bytes, variable spacing around
    ``:``, header spellings ``micrometer``/``micrometers``,
    ``percent``/``percentage``, ``Reflectence``, header lines without a
    colon (kept in ``header['_unparsed']``), ascending or descending
    wavelength order, tab/space/comma separated columns, duplicated
    wavelengths (averaged).  Wavelengths in nm or wavenumbers are converted
    to um.

    Raises:
        ValueError: no numeric data, units that are not wavelength /
            reflectance, or a value count that disagrees with the header's
            ``Number of X Values`` (when present).
    """
    with open(path, 'rb') as f:
        text = f.read().decode('latin-1')
    header: dict = {}
    unparsed = []
    lines = text.splitlines()
    start = None
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if _NUMBER_LINE.match(line):
            start = i
            break
        if ':' in line:
            key, value = line.split(':', 1)
            header[_norm_key(key)] = value.strip()
        else:
            unparsed.append(line)
    xs: list = []
    ys: list = []
    if start is not None:
        block = lines[start:]
        try:  # fast path: a clean two-column block
            flat = np.array(' '.join(block).replace(',', ' ').replace(
                ';', ' ').split(), dtype=np.float64)
            if flat.size % 2:
                raise ValueError('odd count')
            xs, ys = list(flat[0::2]), list(flat[1::2])
        except ValueError:  # slow path: keep numeric lines only
            for raw in block:
                line = raw.strip()
                if _NUMBER_LINE.match(line):
                    a, b = re.split(r'[\s,;]+', line)[:2]
                    xs.append(float(a))
                    ys.append(float(b))
    if unparsed:
        header['_unparsed'] = unparsed
    if not xs:
        raise ValueError(f'{path}: no numeric data found')
    n_declared = header.get('number of x values')
    if n_declared is not None:
        try:
            n_decl = int(float(n_declared))
        except ValueError:
            n_decl = None
        if n_decl is not None and n_decl != len(xs):
            raise ValueError(f'{path}: header declares {n_decl} values, '
                             f'found {len(xs)}')
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    scale = _wavelength_scale(header.get('x units', 'micrometers'), path)
    if scale == 'nm':
        x = x / 1000.0
    elif scale == 'cm-1':
        keep = x > 0
        x, y = 1e4 / x[keep], y[keep]
    y = y * _reflectance_scale(header.get('y units', 'reflectance (percent)'),
                               path)
    good = np.isfinite(x) & np.isfinite(y) & (x > 0)
    x, y = x[good], y[good]
    uniq, inverse = np.unique(x, return_inverse=True)
    if uniq.size != x.size:
        y = np.bincount(inverse, weights=y) / np.bincount(inverse)
    else:
        y = y[np.argsort(x)]
    x = uniq
    # The file-name prefix is the library's own category (it matches the
    # published counts); the "Type" header disagrees for 3 spectra (npv
    # files typed "vegetation") and is only the fallback.
    type_raw = header.get('type', '')
    cls = _TYPE_ALIASES.get(osp.basename(path).split('.')[0].lower())
    if cls is None:
        cls = _TYPE_ALIASES.get(_norm_key(type_raw))
    if cls is None:
        raise ValueError(f'{path}: unknown spectrum type {type_raw!r}')
    name = header.get('name') or osp.basename(path)
    return Spectrum(name=name, cls=cls, klass=header.get('class', ''),
                    path=path, wavelength=x, reflectance=y, header=header)


def read_ecostress_library(folder: str, pattern: str = '.txt'
                           ) -> list:
    """Read every spectrum file (``*{pattern}``) in ``folder``, sorted by name.

    Raises:
        FileNotFoundError: ``folder`` missing or holding no spectrum file.
        ValueError: a file fails to parse (the message names it).
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'spectral library folder not found: {folder}')
    names = sorted(n for n in os.listdir(folder) if n.endswith(pattern))
    if not names:
        raise FileNotFoundError(f'no *{pattern} spectra in {folder}')
    return [read_ecostress_spectrum(osp.join(folder, n)) for n in names]


def band_emissivities(spectra, sensor, grid_step: float = 0.002
                      ) -> np.ndarray:
    """SRF-weighted band emissivities, shape ``(n_spectra, n_bands)``.

    Each spectrum's emissivity ``1 - R`` is linearly interpolated onto a
    common wavelength grid covering the sensor's SRFs (constant beyond the
    measured range, which only touches SRF tails below 1e-3 of the peak for
    the bundled sensors) and averaged with the SRF as weight.
    """
    lo = min(b.wavelength[0] for b in sensor.bands)
    hi = max(b.wavelength[-1] for b in sensor.bands)
    grid = np.arange(lo, hi + grid_step / 2, grid_step)
    weights = np.stack([np.interp(grid, b.wavelength, b.response, left=0,
                                  right=0) for b in sensor.bands])
    weights /= weights.sum(axis=1, keepdims=True)
    emis = np.stack([np.interp(grid, s.wavelength, s.emissivity)
                     for s in spectra])
    return emis @ weights.T


#: Columns of ``data/tables/emissivity_classes.csv`` (rows of :func:`emissivity_table`).
EMISSIVITY_CLASS_COLUMNS = ('sensor', 'band', 'class', 'n', 'mean', 'std', 'p05', 'median',
                            'p95')


def emissivity_table(spectra, sensors) -> tuple[dict, list]:
    """The band-emissivity table of ``spectra`` (of :func:`read_ecostress_library`) for
    ``sensors`` (of :func:`groklst.physics.srf.get_sensor`).

    Returns:
        ``(arrays, rows)``: the arrays of ``data/tables/emissivity_bands.npz`` (``names``,
        ``files``, ``classes`` and per sensor ``<sensor>`` (n_spectra, n_bands) float32 band
        emissivities (:func:`band_emissivities`) with ``<sensor>__bands``), and the rows of
        ``data/tables/emissivity_classes.csv`` (:data:`EMISSIVITY_CLASS_COLUMNS`: per sensor,
        band and class the count, mean, standard deviation and 5th/50th/95th percentiles).
    """
    classes = np.array([s.cls for s in spectra])
    arrays = {
        'names': np.array([s.name for s in spectra]),
        'files': np.array([osp.basename(s.path) for s in spectra]),
        'classes': classes,
    }
    rows = []
    for sensor in sensors:
        emis = band_emissivities(spectra, sensor)
        arrays[sensor.name] = emis.astype(np.float32)
        arrays[f'{sensor.name}__bands'] = np.array(sensor.band_names)
        for j, band in enumerate(sensor.band_names):
            for cls in SPECTRUM_CLASSES:
                vals = emis[classes == cls, j]
                if vals.size == 0:
                    continue
                p5, p50, p95 = np.percentile(vals, [5, 50, 95])
                rows.append([sensor.name, band, cls, vals.size,
                             f'{vals.mean():.4f}', f'{vals.std():.4f}',
                             f'{p5:.4f}', f'{p50:.4f}', f'{p95:.4f}'])
    return arrays, rows


def default_emissivity_path() -> str:
    """Path of the committed band-emissivity table
    ``data/tables/emissivity_bands.npz``."""
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    return osp.join(root, 'data', 'tables', 'emissivity_bands.npz')


def load_emissivity_table(path: str | None = None) -> dict:
    """Load ``data/tables/emissivity_bands.npz`` (see its README entry).

    Returns:
        dict with ``names``, ``classes`` (str arrays, one per spectrum) and,
        per sensor, ``{sensor}`` -> ``(n_spectra, n_bands)`` band
        emissivities plus ``{sensor}__bands`` band names.
    """
    with np.load(path or default_emissivity_path(),
                 allow_pickle=False) as data:
        return {k: data[k] for k in data.files}
