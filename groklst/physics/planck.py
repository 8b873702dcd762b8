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
``/work/shared/data/README.md`` section 1.

The second half of the module is the spectral Planck function itself (per
wavelength, in W m-2 sr-1 um-1 with the wavelength in um), its exact inverse,
the band-integrated radiance over a spectral response function (SRF), the
effective wavelength, and differentiable torch versions:

    B(lambda, T) = c1 / (lambda**5 (exp(c2 / (lambda T)) - 1))
    c1 = 2 h c**2 = 1.191042972e8 W um4 m-2 sr-1
    c2 = h c / k = 14387.7688 um K

with h, c, k the exact SI values of the 2019 redefinition (CODATA 2018).
Band radiance: ``L_b(T) = int f(l) B(l, T) dl / int f(l) dl`` (trapezoid over
the SRF samples).  Its inverse has no closed form: :class:`BandPlanck`
tabulates ``L_b`` and ``dL_b/dT`` on a 0.25 K grid (both exact), inverts by
monotone interpolation and polishes with Newton steps on the cubic Hermite
interpolant, which reproduces the exact integral to ~1e-10 relative.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    'C1', 'C2', 'planck_radiance', 'planck_bt', 'planck_radiance_torch',
    'planck_bt_torch', 'effective_wavelength', 'band_radiance_exact',
    'BandPlanck', 'fit_k1k2',
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


# ---------------------------------------------------------------------------
# Spectral Planck function
# ---------------------------------------------------------------------------
_H = 6.62607015e-34  # J s (exact, SI 2019)
_C = 299792458.0  # m s-1 (exact)
_K = 1.380649e-23  # J K-1 (exact, SI 2019)
#: First radiation constant for radiance, 2 h c^2, in W um^4 m-2 sr-1.
C1 = 2.0 * _H * _C**2 * 1e24
#: Second radiation constant h c / k in um K.
C2 = _H * _C / _K * 1e6


def planck_radiance(wavelength_um, temperature_k) -> np.ndarray:
    """Blackbody spectral radiance ``B(lambda, T)``.

    Args:
        wavelength_um: Wavelength in um (> 0), broadcastable with ``T``.
        temperature_k: Temperature in K (> 0).

    Returns:
        float64 radiance in W m-2 sr-1 um-1; NaN where an input is not a
        positive finite number.
    """
    lam = np.asarray(wavelength_um, dtype=np.float64)
    temp = np.asarray(temperature_k, dtype=np.float64)
    ok = np.isfinite(lam) & (lam > 0) & np.isfinite(temp) & (temp > 0)
    lam_s = np.where(ok, lam, 1.0)
    t_s = np.where(ok, temp, 1.0)
    with np.errstate(over='ignore'):
        rad = C1 / (lam_s**5 * np.expm1(C2 / (lam_s * t_s)))
    return np.where(ok, rad, np.nan)


def planck_bt(wavelength_um, radiance) -> np.ndarray:
    """Brightness temperature: exact inverse of :func:`planck_radiance`.

    ``T = c2 / (lambda ln(1 + c1 / (lambda^5 L)))``.

    Args:
        wavelength_um: Wavelength in um (> 0).
        radiance: Spectral radiance in W m-2 sr-1 um-1 (> 0).

    Returns:
        float64 BT in K; NaN for non-positive or non-finite inputs.
    """
    lam = np.asarray(wavelength_um, dtype=np.float64)
    rad = np.asarray(radiance, dtype=np.float64)
    ok = np.isfinite(lam) & (lam > 0) & np.isfinite(rad) & (rad > 0)
    lam_s = np.where(ok, lam, 1.0)
    r_s = np.where(ok, rad, 1.0)
    bt = C2 / (lam_s * np.log1p(C1 / (lam_s**5 * r_s)))
    return np.where(ok, bt, np.nan)


def planck_radiance_torch(wavelength_um, temperature_k):
    """Differentiable torch version of :func:`planck_radiance`.

    Inputs are tensors (or numbers) broadcastable together; the result has
    the dtype of ``temperature_k`` (use float64 for round trips below 1e-6
    K), except that float16 / bfloat16 temperatures (e.g. a network output
    under autocast) are computed and returned in float32: ``lambda**5``
    (1e5 um^5 at 10 um), ``c1`` and ``exp(c2 / (lambda T))`` (8e8 at 3.9 um
    and 180 K) overflow float16, and bfloat16 resolves 2 K at 300 K.
    No input validation: non-positive inputs give inf/NaN.
    """
    import torch
    temp = _at_least_float32(torch.as_tensor(temperature_k))
    lam = torch.as_tensor(wavelength_um, dtype=temp.dtype,
                          device=temp.device)
    return C1 / (lam**5 * torch.expm1(C2 / (lam * temp)))


def planck_bt_torch(wavelength_um, radiance):
    """Differentiable torch version of :func:`planck_bt` (dtype rule of
    :func:`planck_radiance_torch`: float16 / bfloat16 radiance gives a
    float32 BT)."""
    import torch
    rad = _at_least_float32(torch.as_tensor(radiance))
    lam = torch.as_tensor(wavelength_um, dtype=rad.dtype, device=rad.device)
    return C2 / (lam * torch.log1p(C1 / (lam**5 * rad)))


def _at_least_float32(x):
    """``x`` as float32 if it is a half-precision (float16 / bfloat16) or
    integer tensor, else unchanged: the Planck terms overflow float16 and
    the 0.25 K table index needs more than bfloat16's 8 bits."""
    import torch
    if x.dtype in (torch.float16, torch.bfloat16) or not x.is_floating_point():
        return x.float()
    return x


def _check_srf(wavelength_um, response) -> tuple[np.ndarray, np.ndarray]:
    lam = np.asarray(wavelength_um, dtype=np.float64).ravel()
    resp = np.asarray(response, dtype=np.float64).ravel()
    if lam.shape != resp.shape or lam.size < 2:
        raise ValueError(f'SRF needs matching wavelength/response arrays of '
                         f'at least 2 samples, got {lam.shape} and '
                         f'{resp.shape}')
    if not (np.all(np.isfinite(lam)) and np.all(np.isfinite(resp))):
        raise ValueError('SRF contains non-finite values')
    if np.any(np.diff(lam) <= 0):
        raise ValueError('SRF wavelengths must be strictly increasing')
    if lam[0] <= 0 or np.any(resp < 0) or not np.any(resp > 0):
        raise ValueError('SRF needs positive wavelengths and a non-negative, '
                         'non-zero response')
    return lam, resp


def effective_wavelength(wavelength_um, response) -> float:
    """SRF-weighted mean wavelength ``int l f dl / int f dl`` in um."""
    lam, resp = _check_srf(wavelength_um, response)
    return float(np.trapezoid(lam * resp, lam) / np.trapezoid(resp, lam))


def band_radiance_exact(wavelength_um, response, temperature_k
                        ) -> np.ndarray:
    """Band radiance by direct trapezoid integration (reference path).

    ``L_b(T) = int f B(l, T) dl / int f dl`` in W m-2 sr-1 um-1.  Memory is
    ``T.size * n_srf``; use :class:`BandPlanck` for images.
    """
    lam, resp = _check_srf(wavelength_um, response)
    temp = np.asarray(temperature_k, dtype=np.float64)
    spec = planck_radiance(lam, temp[..., None])
    return np.trapezoid(spec * resp, lam, axis=-1) / np.trapezoid(resp, lam)


class BandPlanck:
    """Band-integrated Planck function of one SRF and its inverse.

    Args:
        wavelength_um: SRF wavelengths in um, strictly increasing.
        response: SRF (any positive scale).
        t_min, t_max: Temperature range of the table in K (default 150-450
            K); outside it the NumPy forward falls back to direct integration
            and the inverse returns NaN.
        step: Table step in K (0.25; the Hermite error is ~1e-11).
    """

    def __init__(self, wavelength_um, response, t_min: float = 150.0,
                 t_max: float = 450.0, step: float = 0.25):
        self.wavelength, self.response = _check_srf(wavelength_um, response)
        if not 0 < t_min < t_max:
            raise ValueError(f'need 0 < t_min < t_max, got {t_min}, {t_max}')
        self.effective_wavelength = effective_wavelength(self.wavelength,
                                                         self.response)
        n = int(round((t_max - t_min) / step)) + 1
        self.t_grid = np.linspace(t_min, t_max, n)
        self.step = float(self.t_grid[1] - self.t_grid[0])
        norm = np.trapezoid(self.response, self.wavelength)
        lam = self.wavelength
        x = C2 / (lam[None, :] * self.t_grid[:, None])
        spec = C1 / (lam[None, :]**5 * np.expm1(x))
        # d B / d T = B * x * exp(x) / (expm1(x) * T)
        dspec = spec * x * np.exp(x) / (np.expm1(x) * self.t_grid[:, None])
        self.l_grid = np.trapezoid(spec * self.response, lam, axis=1) / norm
        self.dl_grid = np.trapezoid(dspec * self.response, lam, axis=1) / norm
        self._torch_cache: dict = {}

    # -- numpy --------------------------------------------------------------
    def _hermite(self, temp):
        pos = (temp - self.t_grid[0]) / self.step
        idx = np.clip(np.floor(pos).astype(np.int64), 0, self.t_grid.size - 2)
        u = pos - idx
        h = self.step
        y0, y1 = self.l_grid[idx], self.l_grid[idx + 1]
        d0, d1 = self.dl_grid[idx] * h, self.dl_grid[idx + 1] * h
        u2, u3 = u * u, u * u * u
        val = ((2 * u3 - 3 * u2 + 1) * y0 + (u3 - 2 * u2 + u) * d0 +
               (-2 * u3 + 3 * u2) * y1 + (u3 - u2) * d1)
        der = ((6 * u2 - 6 * u) * y0 + (3 * u2 - 4 * u + 1) * d0 +
               (-6 * u2 + 6 * u) * y1 + (3 * u2 - 2 * u) * d1) / h
        return val, der

    def radiance(self, temperature_k) -> np.ndarray:
        """Band radiance (W m-2 sr-1 um-1) of temperatures in K."""
        temp = np.asarray(temperature_k, dtype=np.float64)
        ok = np.isfinite(temp) & (temp > 0)
        inside = ok & (temp >= self.t_grid[0]) & (temp <= self.t_grid[-1])
        val, _ = self._hermite(np.where(inside, temp, self.t_grid[0]))
        out = np.where(inside, val, np.nan)
        outside = ok & ~inside
        if np.any(outside):
            out = np.array(out, dtype=np.float64, copy=True)
            out[outside] = band_radiance_exact(self.wavelength, self.response,
                                               temp[outside])
        return out

    def brightness_temperature(self, radiance, iterations: int = 3
                               ) -> np.ndarray:
        """Inverse of :meth:`radiance`: band BT in K (NaN outside table)."""
        rad = np.asarray(radiance, dtype=np.float64)
        ok = (np.isfinite(rad) & (rad >= self.l_grid[0]) &
              (rad <= self.l_grid[-1]))
        r = np.where(ok, rad, self.l_grid[0])
        temp = np.interp(r, self.l_grid, self.t_grid)
        for _ in range(iterations):
            val, der = self._hermite(temp)
            temp = np.clip(temp - (val - r) / der, self.t_grid[0],
                           self.t_grid[-1])
        return np.where(ok, temp, np.nan)

    # -- torch --------------------------------------------------------------
    def _tables(self, dtype, device):
        import torch
        key = (dtype, str(device))
        if key not in self._torch_cache:
            self._torch_cache[key] = (
                torch.as_tensor(self.l_grid, dtype=dtype, device=device),
                torch.as_tensor(self.dl_grid, dtype=dtype, device=device))
        return self._torch_cache[key]

    def radiance_torch(self, temperature_k):
        """Differentiable band radiance (cubic Hermite on the exact table).

        Temperatures are clamped to the table range (gradient zero there).
        Integer temperatures are computed in float64; float16 / bfloat16
        ones (e.g. under autocast) in float32, the dtype of the result.
        """
        import torch
        temp = torch.as_tensor(temperature_k)
        if not temp.is_floating_point():
            temp = temp.double()
        temp = _at_least_float32(temp)
        lg, dg = self._tables(temp.dtype, temp.device)
        t0, h = float(self.t_grid[0]), self.step
        pos = (temp.clamp(self.t_grid[0], self.t_grid[-1]) - t0) / h
        idx = pos.detach().floor().long().clamp(0, self.t_grid.size - 2)
        u = pos - idx.to(pos.dtype)
        y0, y1 = lg[idx], lg[idx + 1]
        d0, d1 = dg[idx] * h, dg[idx + 1] * h
        u2, u3 = u * u, u * u * u
        return ((2 * u3 - 3 * u2 + 1) * y0 + (u3 - 2 * u2 + u) * d0 +
                (-2 * u3 + 3 * u2) * y1 + (u3 - u2) * d1)

    def brightness_temperature_torch(self, radiance, iterations: int = 3):
        """Differentiable band BT: Newton without grad, then one step with.

        The last, tracked Newton step gives the implicit-function gradient
        ``dT/dL = 1 / L'(T)``. Dtypes as :meth:`radiance_torch`.
        """
        import torch
        rad = torch.as_tensor(radiance)
        if not rad.is_floating_point():
            rad = rad.double()
        rad = _at_least_float32(rad)
        with torch.no_grad():
            lg, _ = self._tables(rad.dtype, rad.device)
            tg = torch.as_tensor(self.t_grid, dtype=rad.dtype,
                                 device=rad.device)
            r = rad.clamp(float(self.l_grid[0]), float(self.l_grid[-1]))
            idx = torch.searchsorted(lg, r.contiguous()).clamp(
                1, lg.numel() - 1)
            w = (r - lg[idx - 1]) / (lg[idx] - lg[idx - 1])
            temp = tg[idx - 1] + w * (tg[idx] - tg[idx - 1])
            for _ in range(iterations):
                temp = self._newton_torch(temp, r)
        return self._newton_torch(temp.detach(), rad)

    def _newton_torch(self, temp, rad):
        val = self.radiance_torch(temp)
        der = self._derivative_torch(temp)
        return temp - (val - rad) / der

    def _derivative_torch(self, temp):
        lg, dg = self._tables(temp.dtype, temp.device)
        t0, h = float(self.t_grid[0]), self.step
        pos = (temp.clamp(self.t_grid[0], self.t_grid[-1]) - t0) / h
        idx = pos.detach().floor().long().clamp(0, self.t_grid.size - 2)
        u = pos - idx.to(pos.dtype)
        y0, y1 = lg[idx], lg[idx + 1]
        d0, d1 = dg[idx] * h, dg[idx + 1] * h
        u2 = u * u
        return ((6 * u2 - 6 * u) * y0 + (3 * u2 - 4 * u + 1) * d0 +
                (-6 * u2 + 6 * u) * y1 + (3 * u2 - 2 * u) * d1) / h


def fit_k1k2(band: BandPlanck, t_min: float = 240.0, t_max: float = 340.0
             ) -> tuple[float, float]:
    """Least-squares K1/K2 of ``BT = K2 / ln(K1/L + 1)`` for a band.

    Fits ``ln(K1/L + 1) = K2 / T`` over ``t_min..t_max`` (1 K steps) by a
    small Gauss-Newton on K1 starting from the effective-wavelength values
    ``K1 = c1 / l_eff^5``, ``K2 = c2 / l_eff``.

    Returns:
        ``(k1, k2)`` in W m-2 sr-1 um-1 and K.
    """
    temp = np.arange(t_min, t_max + 0.5, 1.0)
    rad = band.radiance(temp)
    lam = band.effective_wavelength
    k1 = C1 / lam**5
    for _ in range(50):
        y = np.log(k1 / rad + 1.0)
        k2 = float(np.sum(y / temp) / np.sum(1.0 / temp**2))
        # residual r(k1) = ln(k1/L+1) - k2/T; derivative wrt k1
        res = y - k2 / temp
        dres = 1.0 / (k1 + rad)
        step = float(np.sum(res * dres) / np.sum(dres * dres))
        k1 -= step
        if abs(step) < 1e-10 * k1:
            break
    y = np.log(k1 / rad + 1.0)
    k2 = float(np.sum(y / temp) / np.sum(1.0 / temp**2))
    return float(k1), k2
