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

__all__ = ['rte_forward_radiance', 'rte_surface_radiance', 'rte_forward',
           'rte_inverse', 'rte_forward_torch', 'rte_inverse_torch']


def rte_forward_radiance(surface_radiance, emissivity, tau, l_up, l_down):
    """``L_sen`` from the surface blackbody radiance ``B(Ts)``.

    Works for NumPy arrays and torch tensors alike (pure arithmetic).
    """
    return tau * (emissivity * surface_radiance +
                  (1 - emissivity) * l_down) + l_up


def rte_surface_radiance(sensor_radiance, emissivity, tau, l_up, l_down):
    """Exact inverse of :func:`rte_forward_radiance`: ``B(Ts)``."""
    return (sensor_radiance - l_up - tau * (1 - emissivity) * l_down) / (
        tau * emissivity)


def _validate(emissivity, tau):
    eps = np.asarray(emissivity, dtype=np.float64)
    t = np.asarray(tau, dtype=np.float64)
    if np.any(eps[np.isfinite(eps)] <= 0) or np.any(eps[np.isfinite(eps)] > 1):
        raise ValueError('emissivity must lie in (0, 1]')
    if np.any(t[np.isfinite(t)] <= 0) or np.any(t[np.isfinite(t)] > 1):
        raise ValueError('transmittance tau must lie in (0, 1]')


def rte_forward(band: BandPlanck, ts, emissivity, tau, l_up, l_down
                ) -> np.ndarray:
    """At-sensor band radiance (W m-2 sr-1 um-1) for surface temperature Ts.

    Args:
        band: Band Planck function of the sensor band.
        ts: Surface temperature in K.
        emissivity: Band emissivity in (0, 1].
        tau: Band transmittance in (0, 1].
        l_up, l_down: Path and hemispheric downwelling radiance.

    All arguments broadcast together.
    """
    _validate(emissivity, tau)
    return rte_forward_radiance(band.radiance(ts), emissivity, tau, l_up,
                                l_down)


def rte_inverse(band: BandPlanck, sensor_radiance, emissivity, tau, l_up,
                l_down) -> np.ndarray:
    """Surface temperature (K) from at-sensor band radiance.

    NaN where the corrected surface radiance falls outside the band table
    (e.g. non-physical inputs).
    """
    _validate(emissivity, tau)
    surf = rte_surface_radiance(np.asarray(sensor_radiance, np.float64),
                                emissivity, tau, l_up, l_down)
    return band.brightness_temperature(surf)


def rte_forward_torch(band: BandPlanck, ts, emissivity, tau, l_up, l_down):
    """Differentiable :func:`rte_forward` on torch tensors."""
    return rte_forward_radiance(band.radiance_torch(ts), emissivity, tau,
                                l_up, l_down)


def rte_inverse_torch(band: BandPlanck, sensor_radiance, emissivity, tau,
                      l_up, l_down):
    """Differentiable :func:`rte_inverse` on torch tensors."""
    surf = rte_surface_radiance(sensor_radiance, emissivity, tau, l_up,
                                l_down)
    return band.brightness_temperature_torch(surf)
