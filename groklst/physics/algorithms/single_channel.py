"""Generalized single-channel LST algorithm (Jiménez-Muñoz & Sobrino).

Method: Jiménez-Muñoz, J. C., Sobrino, J. A. (2003), "A generalized
single-channel method for retrieving land surface temperature from remote
sensing data", J. Geophys. Res. 108(D22):4688, Eqs. (1)-(4); revisited in
Jiménez-Muñoz et al. (2009), IEEE TGRS 47(1):339-349:

    Ts = gamma [ (psi1 L_sen + psi2) / eps + psi3 ] + delta
    gamma = { c2 L_sen / T_sen^2 [ lambda^4 L_sen / c1 + 1 / lambda ] }^-1
    delta = -gamma L_sen + T_sen

with ``L_sen`` the at-sensor band radiance (W m-2 sr-1 um-1), ``T_sen`` its
brightness temperature, ``lambda`` the effective wavelength (um) and the
atmospheric functions

    psi1 = 1 / tau,   psi2 = -L_down - L_up / tau,   psi3 = L_down

either computed from known atmospheric parameters
(:func:`psi_from_atmosphere`) or approximated by quadratics in the water
vapour column ``w`` (g cm-2): ``psi_i = c_i1 w^2 + c_i2 w + c_i3``.

Coefficient sets (:data:`PSI_COEFFICIENTS`, rows psi1..psi3, columns
w^2, w, 1):

* ``landsat8_b10``: Jiménez-Muñoz et al. (2014), IEEE GRSL 11(10):1840-1843,
  single-channel coefficients of TIRS band 10 fitted on the GAPRI database
  (the letter's coefficient matrix; table number not verified here: the
  letter is paywalled).  Values checked against an independent public
  implementation (a Google Earth Engine SEBAL port quoting the letter).
* ``landsat5_tm6`` / ``landsat7_etm6``: Jiménez-Muñoz et al. (2009), TIGR61
  fits for TM/ETM+ band 6 (same verification route and caveat).

The effective wavelengths used for gamma/delta are 10.904 um (our TIRS B10
SRF, :mod:`groklst.physics.srf`) and 11.457 / 11.269 um for TM6 / ETM+6
(the values commonly quoted with the 2009 coefficients; 11.457 um is the
constant of the implementation above, 11.269 um is not verified here).
"""

from __future__ import annotations

import numpy as np

from ..planck import C1, C2
from ..validation import check_range

__all__ = ['PSI_COEFFICIENTS', 'EFFECTIVE_WAVELENGTH', 'psi_functions',
           'psi_from_atmosphere', 'single_channel', 'single_channel_jm']

#: psi-function coefficients, see module docstring for sources.
PSI_COEFFICIENTS = {
    'landsat8_b10': np.array([[0.04019, 0.02916, 1.01523],
                              [-0.38333, -1.50294, 0.20324],
                              [0.00918, 1.36072, -0.27514]]),
    'landsat5_tm6': np.array([[0.08735, -0.09553, 1.10188],
                              [-0.69188, -0.58185, -0.29887],
                              [-0.03724, 1.53065, -0.45476]]),
    'landsat7_etm6': np.array([[0.07593, -0.07132, 1.08565],
                               [-0.61438, -0.70916, -0.19379],
                               [-0.02892, 1.46051, -0.43199]]),
}
#: Effective wavelength (um) per coefficient set.
EFFECTIVE_WAVELENGTH = {'landsat8_b10': 10.904, 'landsat5_tm6': 11.457,
                        'landsat7_etm6': 11.269}


def psi_functions(wvc, coefficients='landsat8_b10') -> np.ndarray:
    """``(psi1, psi2, psi3)`` from the water vapour column (g cm-2).

    Args:
        wvc: Water vapour column, any shape, in g cm-2 (0-8).
        coefficients: Key of :data:`PSI_COEFFICIENTS` or a (3, 3) array.

    Returns:
        Array of shape ``(3,) + wvc.shape``.

    Raises:
        ValueError: ``wvc`` NaN/infinite or outside 0-8 g cm-2 (the quadratic
            fits are not usable beyond their fitting range), or bad
            coefficient shape.
    """
    coef = (PSI_COEFFICIENTS[coefficients]
            if isinstance(coefficients, str) else np.asarray(coefficients))
    if coef.shape != (3, 3):
        raise ValueError(f'psi coefficients must be (3, 3), got {coef.shape}')
    w = check_range(wvc, 'water-vapour column wvc', 'psi_functions',
                    low=0.0, high=8.0, unit='g cm-2')
    return np.stack([c[0] * w**2 + c[1] * w + c[2] for c in coef])


def psi_from_atmosphere(tau, l_up, l_down) -> np.ndarray:
    """Exact psi functions from band tau, L_up and L_down.

    Args:
        tau: Band transmittance in (0, 1].
        l_up, l_down: Upwelling path and hemispheric downwelling radiance,
            W m-2 sr-1 um-1 (>= 0).

    Returns:
        ``(psi1, psi2, psi3)`` stacked on the first axis (psi1 unitless,
        psi2/psi3 in W m-2 sr-1 um-1).
    """
    tau = np.asarray(tau, dtype=np.float64)
    l_up = np.asarray(l_up, dtype=np.float64)
    l_down = np.asarray(l_down, dtype=np.float64)
    return np.stack([1.0 / tau, -l_down - l_up / tau,
                     np.broadcast_to(l_down, np.broadcast(tau, l_down).shape)])


def single_channel(sensor_radiance, emissivity, psi, wavelength_um,
                   brightness_temperature=None) -> np.ndarray:
    """Generalized single-channel LST (K).

    Args:
        sensor_radiance: At-sensor band radiance, W m-2 sr-1 um-1.
        emissivity: Band emissivity in (0, 1].
        psi: ``(psi1, psi2, psi3)`` stacked on the first axis.
        wavelength_um: Effective wavelength of the band.
        brightness_temperature: ``T_sen`` in K; defaults to the Planck
            inverse at ``wavelength_um``.

    Returns:
        LST in K (float64, broadcast shape); NaN inputs propagate.

    Raises:
        ValueError: finite radiance <= 0, emissivity outside (0, 1],
            wavelength <= 0 or non-finite, brightness temperature <= 0 K.
    """
    where = 'single_channel'
    lsen = check_range(sensor_radiance, 'sensor_radiance', where, low=0.0,
                       low_open=True, allow_nan=True,
                       unit='W m-2 sr-1 um-1')
    eps = check_range(emissivity, 'emissivity', where, low=0.0, high=1.0,
                      low_open=True, allow_nan=True)
    lam = float(check_range(wavelength_um, 'wavelength_um', where, low=0.0,
                            low_open=True, unit='um'))
    if brightness_temperature is None:
        tsen = C2 / (lam * np.log1p(C1 / (lam**5 * lsen)))
    else:
        tsen = check_range(brightness_temperature, 'brightness_temperature',
                           where, low=0.0, low_open=True, allow_nan=True,
                           unit='K')
    gamma = 1.0 / (C2 * lsen / tsen**2 * (lam**4 * lsen / C1 + 1.0 / lam))
    delta = -gamma * lsen + tsen
    psi1, psi2, psi3 = psi
    return gamma * ((psi1 * lsen + psi2) / eps + psi3) + delta


def single_channel_jm(sensor_radiance, emissivity, wvc,
                      coefficients: str = 'landsat8_b10',
                      brightness_temperature=None) -> np.ndarray:
    """Single-channel LST with the water-vapour psi fits (K).

    Raises:
        ValueError: as :func:`psi_functions` (NaN or out-of-range ``wvc``)
            and :func:`single_channel`.
    """
    psi = psi_functions(wvc, coefficients)
    return single_channel(sensor_radiance, emissivity, psi,
                          EFFECTIVE_WAVELENGTH[coefficients],
                          brightness_temperature)
