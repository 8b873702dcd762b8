"""Thermal-infrared radiative transfer equation for one band (clear sky).

At-sensor radiance of a Lambertian surface under a non-scattering atmosphere
(e.g. Jiménez-Muñoz & Sobrino 2003, J. Geophys. Res. 108(D22):4688, Eq. 1):

    L_sen = tau * [eps * B(Ts) + (1 - eps) * L_down] + L_up

with ``tau`` the band transmittance along the view path, ``L_up`` the
upwelling path radiance, ``L_down`` the hemispheric downwelling radiance
(already divided by pi, i.e. a radiance) and ``B`` the band-integrated Planck
function (:class:`groklst.physics.planck.BandPlanck`).  Radiances in
W m-2 sr-1 um-1, temperatures in K.

Inverting for the surface-leaving blackbody radiance is exact:

    B(Ts) = (L_sen - L_up - tau (1 - eps) L_down) / (tau eps)

and ``Ts`` follows from the band inverse Planck function.  All functions
accept NumPy arrays or torch tensors (the ``*_torch`` variants are
differentiable end to end).
"""

from __future__ import annotations

import numpy as np

from .planck import BandPlanck
from .validation import check_range

__all__ = ['rte_forward_radiance', 'rte_surface_radiance', 'rte_forward',
           'rte_inverse', 'rte_forward_torch', 'rte_inverse_torch']


def rte_forward_radiance(surface_radiance, emissivity, tau, l_up, l_down):
    """``L_sen`` from the surface blackbody radiance ``B(Ts)``.

    Works for NumPy arrays and torch tensors alike (pure arithmetic, no
    validation).  All radiances in W m-2 sr-1 um-1; ``emissivity`` and
    ``tau`` unitless.

    Returns:
        At-sensor radiance, W m-2 sr-1 um-1 (same type as the inputs).
    """
    return tau * (emissivity * surface_radiance +
                  (1 - emissivity) * l_down) + l_up


def rte_surface_radiance(sensor_radiance, emissivity, tau, l_up, l_down):
    """Exact inverse of :func:`rte_forward_radiance` (no validation).

    Returns:
        Surface blackbody radiance ``B(Ts)``, W m-2 sr-1 um-1.
    """
    return (sensor_radiance - l_up - tau * (1 - emissivity) * l_down) / (
        tau * emissivity)


def _validate(where, emissivity, tau, l_up, l_down):
    """Range checks shared by :func:`rte_forward` and :func:`rte_inverse`
    (NaN entries pass: no-data pixels propagate)."""
    check_range(emissivity, 'emissivity', where, low=0.0, high=1.0,
                low_open=True, allow_nan=True)
    check_range(tau, 'transmittance tau', where, low=0.0, high=1.0,
                low_open=True, allow_nan=True)
    check_range(l_up, 'l_up', where, low=0.0, allow_nan=True,
                unit='W m-2 sr-1 um-1')
    check_range(l_down, 'l_down', where, low=0.0, allow_nan=True,
                unit='W m-2 sr-1 um-1')


def rte_forward(band: BandPlanck, ts, emissivity, tau, l_up, l_down
                ) -> np.ndarray:
    """At-sensor band radiance (W m-2 sr-1 um-1) for surface temperature Ts.

    Args:
        band: Band Planck function of the sensor band.
        ts: Surface temperature in K.
        emissivity: Band emissivity in (0, 1].
        tau: Band transmittance in (0, 1].
        l_up, l_down: Upwelling path radiance and hemispheric downwelling
            radiance (already divided by pi), W m-2 sr-1 um-1, >= 0.

    All arguments broadcast together.

    Returns:
        At-sensor radiance in W m-2 sr-1 um-1 (float64, broadcast shape).

    Raises:
        ValueError: finite emissivity or tau outside (0, 1], or finite
            negative ``l_up`` / ``l_down``.
    """
    _validate('rte_forward', emissivity, tau, l_up, l_down)
    return rte_forward_radiance(band.radiance(ts), emissivity, tau, l_up,
                                l_down)


def rte_inverse(band: BandPlanck, sensor_radiance, emissivity, tau, l_up,
                l_down) -> np.ndarray:
    """Surface temperature (K) from at-sensor band radiance.

    Args:
        band: Band Planck function of the sensor band.
        sensor_radiance: At-sensor radiance, W m-2 sr-1 um-1.
        emissivity, tau, l_up, l_down: As :func:`rte_forward`.

    Returns:
        Surface temperature in K (float64, broadcast shape); NaN where the
        corrected surface radiance falls outside the band table (e.g.
        non-physical inputs).

    Raises:
        ValueError: as :func:`rte_forward`.
    """
    _validate('rte_inverse', emissivity, tau, l_up, l_down)
    surf = rte_surface_radiance(np.asarray(sensor_radiance, np.float64),
                                emissivity, tau, l_up, l_down)
    return band.brightness_temperature(surf)


def rte_forward_torch(band: BandPlanck, ts, emissivity, tau, l_up, l_down):
    """Differentiable :func:`rte_forward` on torch tensors (no validation).

    Returns:
        At-sensor radiance tensor, W m-2 sr-1 um-1.
    """
    return rte_forward_radiance(band.radiance_torch(ts), emissivity, tau,
                                l_up, l_down)


def rte_inverse_torch(band: BandPlanck, sensor_radiance, emissivity, tau,
                      l_up, l_down):
    """Differentiable :func:`rte_inverse` on torch tensors (no validation).

    Returns:
        Surface temperature tensor in K.
    """
    surf = rte_surface_radiance(sensor_radiance, emissivity, tau, l_up,
                                l_down)
    return band.brightness_temperature_torch(surf)
