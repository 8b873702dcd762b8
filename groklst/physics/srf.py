"""Thermal-infrared sensors, their bands and spectral response functions.

Sources of the spectral response functions (SRFs)
--------------------------------------------------
* **Landsat-8 TIRS B10/B11** and **Terra ASTER TIR bands 10-14**: measured
  SRFs shipped inside the PyPI package ``pyrsr`` (0.8.0, GFZ Potsdam; data
  files ``pyrsr/data/Landsat-8/OLI_TIRS/band_1x`` from NASA's
  ``Ball_BA_RSR.v1.2`` (2014) and ``pyrsr/data/Terra/ASTER/band_1x``).  pyrsr
  reads them from its own package folder: **no download at run time**
  (checked: the files are inside the sdist).  pyrsr 0.8.0 has MODIS bands
  1-16 only, so MODIS 31/32 are modelled (below).
* **Terra MODIS bands 31/32**: Gaussian SRFs centred on the effective central
  wavenumbers of the Terra detector-averaged responses, 908.1998 and
  831.5149 cm-1 (L. Gumley, ``MODIS_BRIGHT``, CIMSS/SSEC, UW-Madison, 2003
  revision, array ``cwn_terra``), with a FWHM equal to the MODIS design
  bandwidths 10.780-11.280 and 11.770-12.270 um (0.5 um; MODIS
  specifications table, NASA GSFC).  **Assumption**: the true SRFs are not
  Gaussian; band radiances of smooth spectra agree to well below NEdT, but
  line-resolved atmospheric effects may differ by tenths of a kelvin.
* **GF5-02 VIMI TIR** (centres 8.20, 8.63, 10.80, 11.95 um) and **SDGSAT-1
  TIS** (8-10.5, 10.3-11.3, 11.5-12.5 um): no response data is public.
  **Assumption**: flat-topped SRFs whose 50 % points are the band edges, with
  raised-cosine shoulders whose 0-100 % width is 10 % of the bandwidth.  VIMI
  edges 8.01-8.39, 8.42-8.83, 10.3-11.3, 11.4-12.5 um (the edges usually
  quoted for the GF-5 VIMS/VIMI TIR channels; their midpoints are the
  stated centres 8.20, 8.625, 10.80, 11.95 um).

Noise-equivalent temperature differences (NEdT at 300 K, used by the
simulator): TIRS 0.4 K (design requirement, Irons et al. 2012, Remote Sens.
Environ. 122:11-21, TIRS section), ASTER TIR 0.3 K (Yamaguchi et al. 1998,
IEEE TGRS 36(4):1062-1071, Table I), MODIS 31/32 0.05 K (MODIS
specifications table), VIMI and TIS 0.2 K (**assumed**, typical of the
published specifications; not verified here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .planck import BandPlanck, effective_wavelength

__all__ = ['Band', 'Sensor', 'SENSORS', 'get_sensor', 'flat_top_srf',
           'gaussian_srf', 'pyrsr_srf']


@dataclass(frozen=True, eq=False)
class Band:
    """One thermal band.

    Attributes:
        name: Band name (e.g. ``'B10'``).
        wavelength: SRF wavelengths in um, strictly increasing.
        response: SRF normalised to a peak of 1.
        nedt: Noise-equivalent temperature difference at 300 K in K.
        source: Where the SRF comes from (free text).
    """
    name: str
    wavelength: np.ndarray
    response: np.ndarray
    nedt: float
    source: str
    _planck: list = field(default_factory=list, repr=False)

    @property
    def planck(self) -> BandPlanck:
        """Cached :class:`BandPlanck` of this SRF."""
        if not self._planck:
            self._planck.append(BandPlanck(self.wavelength, self.response))
        return self._planck[0]

    @property
    def effective_wavelength(self) -> float:
        """SRF-weighted mean wavelength in um
        (:func:`groklst.physics.planck.effective_wavelength`)."""
        return effective_wavelength(self.wavelength, self.response)

    def radiance(self, temperature_k):
        """Band-integrated Planck radiance (W m-2 sr-1 um-1) at
        ``temperature_k`` (K); see :meth:`BandPlanck.radiance`."""
        return self.planck.radiance(temperature_k)

    def brightness_temperature(self, radiance):
        """Band brightness temperature (K) of a band radiance
        (W m-2 sr-1 um-1); see :meth:`BandPlanck.brightness_temperature`."""
        return self.planck.brightness_temperature(radiance)

    def band_average(self, wavelength_um, values, axis: int = -1):
        """SRF-weighted mean of a spectrum sampled on ``wavelength_um``.

        The spectrum is linearly interpolated onto the SRF grid; the SRF
        must lie inside the spectrum's wavelength range.

        Args:
            wavelength_um: Spectrum wavelengths in um, shape (W,).
            values: Spectrum (any unit, e.g. emissivity), wavelengths along
                ``axis``.
            axis: Wavelength axis of ``values``.

        Returns:
            float64 array of ``values``' shape without ``axis`` (same unit
            as ``values``).

        Raises:
            ValueError: wavelength/values sizes differ or the spectrum does
                not cover the band (response > 1e-3).
        """
        lam = np.asarray(wavelength_um, dtype=np.float64)
        vals = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
        if lam.ndim != 1 or lam.size != vals.shape[-1]:
            raise ValueError('wavelength and values do not match')
        order = np.argsort(lam)
        lam, vals = lam[order], vals[..., order]
        support = self.wavelength[self.response > 1e-3]
        if support[0] < lam[0] - 1e-9 or support[-1] > lam[-1] + 1e-9:
            raise ValueError(
                f'band {self.name} ({support[0]:.3f}-{support[-1]:.3f} um) '
                f'is not covered by the spectrum ({lam[0]:.3f}-'
                f'{lam[-1]:.3f} um)')
        flat = vals.reshape(-1, lam.size)
        res = np.empty(flat.shape[0])
        norm = np.trapezoid(self.response, self.wavelength)
        for i, row in enumerate(flat):
            on_srf = np.interp(self.wavelength, lam, row)
            res[i] = np.trapezoid(on_srf * self.response,
                                  self.wavelength) / norm
        return res.reshape(vals.shape[:-1])


@dataclass(frozen=True, eq=False)
class Sensor:
    """A thermal sensor: ordered bands plus provenance."""
    name: str
    bands: tuple
    description: str

    @property
    def band_names(self) -> list:
        """Band names in order (e.g. ``['B10', 'B11']``)."""
        return [b.name for b in self.bands]

    def band(self, name: str) -> Band:
        """The band called ``name``.

        Raises:
            KeyError: no such band.
        """
        for b in self.bands:
            if b.name == name:
                return b
        raise KeyError(f'{self.name} has no band {name!r}; bands are '
                       f'{self.band_names}')

    @property
    def nedt(self) -> np.ndarray:
        """Per-band NEdT in K (at 300 K), shape (B,)."""
        return np.array([b.nedt for b in self.bands])


def flat_top_srf(lo_um: float, hi_um: float, shoulder: float = 0.1,
                 step: float = 0.002) -> tuple[np.ndarray, np.ndarray]:
    """Flat-topped SRF with 50 % points at ``lo``/``hi`` (assumption).

    Args:
        lo_um, hi_um: Band edges (50 % response) in um.
        shoulder: Width of each sine-shaped edge as a fraction of the band
            width.
        step: Wavelength sampling in um.

    Returns:
        ``(wavelength_um, response)``; response peak-normalised to 1.

    Raises:
        ValueError: unless ``0 < lo_um < hi_um``.
    """
    if not 0 < lo_um < hi_um:
        raise ValueError(f'need 0 < lo < hi, got {lo_um}, {hi_um}')
    width = shoulder * (hi_um - lo_um)
    lam = np.arange(lo_um - width, hi_um + width + step / 2, step)
    resp = np.ones_like(lam)
    for edge, sign in ((lo_um, 1.0), (hi_um, -1.0)):
        x = sign * (lam - edge) / width  # -0.5..0.5 across the shoulder
        ramp = 0.5 * (1 + np.sin(np.pi * np.clip(x, -0.5, 0.5)))
        resp = np.minimum(resp, ramp)
    return lam, resp


def gaussian_srf(center_um: float, fwhm_um: float, step: float = 0.002
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian SRF truncated at +-2 FWHM (assumption for MODIS 31/32).

    Args:
        center_um, fwhm_um: Centre and full width at half maximum in um.
        step: Wavelength sampling in um.

    Returns:
        ``(wavelength_um, response)``; response peak-normalised to 1.
    """
    sigma = fwhm_um / (2 * np.sqrt(2 * np.log(2)))
    lam = np.arange(center_um - 2 * fwhm_um, center_um + 2 * fwhm_um + step,
                    step)
    resp = np.exp(-0.5 * ((lam - center_um) / sigma)**2)
    return lam, resp / resp.max()


def pyrsr_srf(satellite: str, sensor: str, band: str
              ) -> tuple[np.ndarray, np.ndarray]:
    """SRF of one band from the pyrsr package (bundled files, no download).

    Wavelengths converted to um when given in nm, sorted, de-duplicated, zero
    tails trimmed, resampled to 2 nm when finer.

    Returns:
        ``(wavelength_um, response)``; response peak-normalised to 1.

    Raises:
        ImportError: pyrsr is not installed.
    """
    try:
        from pyrsr.rsr import RSR_reader
    except ImportError as exc:  # pragma: no cover - dependency message
        raise ImportError('pyrsr==0.8.0 is required for the Landsat-8 and '
                          'ASTER SRFs (pip install pyrsr==0.8.0)') from exc
    arr = RSR_reader(satellite, sensor, LayerBandsAssignment=[band])[band]
    lam = np.asarray(arr[:, 0], dtype=np.float64)
    resp = np.asarray(arr[:, 1], dtype=np.float64)
    if lam.max() > 100:  # nanometres
        lam = lam / 1000.0
    order = np.argsort(lam)
    lam, resp = lam[order], np.clip(resp[order], 0, None)
    keep = np.concatenate([[True], np.diff(lam) > 0])
    lam, resp = lam[keep], resp[keep]
    # trim the long zero tails (keep one zero sample each side)
    nz = np.nonzero(resp > 0)[0]
    lo, hi = max(nz[0] - 1, 0), min(nz[-1] + 1, lam.size - 1)
    lam, resp = lam[lo:hi + 1], resp[lo:hi + 1] / resp.max()
    # Files sampled finer than 2 nm are resampled to 2 nm (the responses are
    # smooth at that scale); this keeps band tables cheap.
    if np.median(np.diff(lam)) < 0.002 and lam.size > 1000:
        grid = np.arange(lam[0], lam[-1] + 1e-9, 0.002)
        resp = np.interp(grid, lam, resp)
        lam = grid
    return lam, resp / resp.max()


def _landsat8():
    src = ('pyrsr 0.8.0, Landsat-8/OLI_TIRS (NASA Ball_BA_RSR.v1.2, 2014)')
    bands = tuple(
        Band(f'B{b}', *pyrsr_srf('Landsat-8', 'OLI_TIRS', str(b)), nedt=0.4,
             source=src) for b in (10, 11))
    return Sensor('landsat8_tirs', bands, 'Landsat-8 TIRS bands 10 and 11')


def _aster():
    src = 'pyrsr 0.8.0, Terra/ASTER'
    bands = tuple(
        Band(f'B{b}', *pyrsr_srf('Terra', 'ASTER', str(b)), nedt=0.3,
             source=src) for b in (10, 11, 12, 13, 14))
    return Sensor('aster_tir', bands, 'Terra ASTER TIR bands 10-14')


#: Terra MODIS effective central wavenumbers (cm-1), Gumley MODIS_BRIGHT
#: (2003 revision, ``cwn_terra``), and design band edges (um).
MODIS_TERRA_TIR = {
    'B31': {'cwn': 908.1998, 'edges': (10.780, 11.280)},
    'B32': {'cwn': 831.5149, 'edges': (11.770, 12.270)},
}


def _modis():
    bands = []
    for name, spec in MODIS_TERRA_TIR.items():
        lo, hi = spec['edges']
        lam, resp = gaussian_srf(1e4 / spec['cwn'], hi - lo)
        bands.append(Band(name, lam, resp, nedt=0.05, source=(
            'ASSUMED Gaussian, centre 1e4/cwn (Gumley MODIS_BRIGHT), FWHM '
            'from the MODIS design bandwidth')))
    return Sensor('modis_terra_tir', tuple(bands),
                  'Terra MODIS bands 31 and 32 (modelled SRFs)')


#: GF5-02 VIMI thermal band edges in um (see module docstring).
GF5_VIMI_TIR = {'B9': (8.01, 8.39), 'B10': (8.42, 8.83),
                'B11': (10.3, 11.3), 'B12': (11.4, 12.5)}
#: SDGSAT-1 TIS band edges in um.
SDGSAT1_TIS = {'B1': (8.0, 10.5), 'B2': (10.3, 11.3), 'B3': (11.5, 12.5)}


def _flat_sensor(name, edges, nedt, description):
    bands = tuple(
        Band(b, *flat_top_srf(lo, hi), nedt=nedt, source=(
            f'ASSUMED flat-top SRF, 50% points {lo}-{hi} um, raised-cosine '
            f'shoulders 10% of the bandwidth')) for b, (lo, hi) in
        edges.items())
    return Sensor(name, bands, description)


_FACTORIES = {
    'landsat8_tirs': _landsat8,
    'aster_tir': _aster,
    'modis_terra_tir': _modis,
    'gf5_vimi_tir': lambda: _flat_sensor(
        'gf5_vimi_tir', GF5_VIMI_TIR, 0.2,
        'GF5-02 VIMI thermal bands (assumed SRFs)'),
    'sdgsat1_tis': lambda: _flat_sensor(
        'sdgsat1_tis', SDGSAT1_TIS, 0.2, 'SDGSAT-1 TIS (assumed SRFs)'),
}
#: Names accepted by :func:`get_sensor`.
SENSORS = tuple(_FACTORIES)


@lru_cache(maxsize=None)
def get_sensor(name: str) -> Sensor:
    """Return a sensor by name (one of :data:`SENSORS`).

    Returns:
        A new :class:`Sensor` (bands with SRFs in um and NEdT in K).

    Raises:
        KeyError: unknown sensor name.
    """
    if name not in _FACTORIES:
        raise KeyError(f'unknown sensor {name!r}; known: {list(SENSORS)}')
    return _FACTORIES[name]()
