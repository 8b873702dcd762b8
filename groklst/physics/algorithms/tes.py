"""ASTER Temperature-Emissivity Separation (Gillespie et al. 1998).

Gillespie, A., Rokugawa, S., Matsunaga, T., Cothern, J. S., Hook, S.,
Kahle, A. B. (1998), "A temperature and emissivity separation algorithm for
Advanced Spaceborne Thermal Emission and Reflection Radiometer (ASTER)
images", IEEE TGRS 36(4):1113-1126; ASTER TES ATBD v2.4 (1999).

Input is the land-leaving radiance of each band after atmospheric
correction, ``L_s = (L_sen - L_up) / tau = eps B(Ts) + (1 - eps) S`` with
``S`` the hemispheric downwelling radiance (W m-2 sr-1 um-1).  Modules:

1. **NEM** (normalised emissivity method): start from ``eps_max = 0.99``;
   ``R_i = L_s,i - (1 - eps_i) S_i``, ``T = max_i B_i^-1(R_i / eps_max)``,
   ``eps_i = R_i / B_i(T)``; repeat with the new ``eps_i`` until the change
   of ``R`` is below 0.05 % or 12 iterations (ATBD convergence test).
2. **RATIO**: ``beta_i = eps_i / mean(eps)``.
3. **MMD**: ``MMD = max(beta) - min(beta)``; empirical relation
   ``eps_min = 0.994 - 0.687 MMD^0.737`` (Gillespie et al. 1998, Eq. 6,
   regression on 86 laboratory spectra of the ASTER library);
   ``eps_i = beta_i eps_min / min(beta)``; ``Ts`` from the band of maximum
   emissivity, ``B^-1((L_s - (1 - eps) S) / eps)``.

Not implemented: the ATBD's empirical optimisation of ``eps_max`` by the
variance of ``beta`` and the low-contrast (MMD < 0.03) graybody threshold
(we keep ``eps_max = 0.99`` and apply the power law everywhere).
"""

from __future__ import annotations

import numpy as np

__all__ = ['TES_EMIN_COEFFICIENTS', 'mmd_emin', 'tes']

#: eps_min = a - b * MMD**c (Gillespie et al. 1998, Eq. 6).
TES_EMIN_COEFFICIENTS = (0.994, 0.687, 0.737)


def mmd_emin(mmd) -> np.ndarray:
    """Minimum emissivity from the maximum-minimum difference of beta."""
    a, b, c = TES_EMIN_COEFFICIENTS
    return a - b * np.power(np.clip(np.asarray(mmd, np.float64), 0, None), c)


def tes(surface_radiance, sky_radiance, sensor, eps_max: float = 0.99,
        max_iter: int = 12, tol: float = 5e-4):
    """Temperature-emissivity separation.

    Args:
        surface_radiance: ``L_s``, shape ``(..., n_bands)``.
        sky_radiance: ``S`` (hemispheric downwelling), broadcastable.
        sensor: :class:`groklst.physics.srf.Sensor` (e.g. ASTER TIR).
        eps_max: NEM starting emissivity.
        max_iter, tol: NEM iteration limit and relative ``R`` change.

    Returns:
        ``(ts, emissivity)``: K of shape ``(...)`` and ``(..., n_bands)``.
    """
    ls = np.asarray(surface_radiance, dtype=np.float64)
    sky = np.broadcast_to(np.asarray(sky_radiance, np.float64), ls.shape)
    bands = [b.planck for b in sensor.bands]
    nb = len(bands)
    if ls.shape[-1] != nb:
        raise ValueError(f'surface_radiance has {ls.shape[-1]} bands, '
                         f'{sensor.name} has {nb}')

    def inv(rad):
        return np.stack([bands[i].brightness_temperature(rad[..., i])
                         for i in range(nb)], axis=-1)

    def fwd(temp):
        return np.stack([bands[i].radiance(temp) for i in range(nb)],
                        axis=-1)

    eps = np.full(ls.shape, float(eps_max))
    r = ls - (1 - eps) * sky
    for _ in range(max_iter):
        t_nem = np.nanmax(inv(r / eps_max), axis=-1)
        eps = r / fwd(t_nem)
        r_new = ls - (1 - eps) * sky
        done = np.all(np.abs(r_new - r) <= tol * np.abs(r))
        r = r_new
        if done:
            break
    beta = eps / eps.mean(axis=-1, keepdims=True)
    mmd = beta.max(axis=-1) - beta.min(axis=-1)
    emin = mmd_emin(mmd)
    eps_tes = beta * (emin / beta.min(axis=-1))[..., None]
    eps_tes = np.clip(eps_tes, 1e-3, 1.0)
    imax = np.argmax(eps_tes, axis=-1)
    e_sel = np.take_along_axis(eps_tes, imax[..., None], -1)[..., 0]
    rad_sel = np.take_along_axis(ls - (1 - eps_tes) * sky, imax[..., None],
                                 -1)[..., 0] / e_sel
    ts = np.empty(ls.shape[:-1])
    for i in range(nb):
        m = imax == i
        if np.any(m):
            ts[m] = bands[i].brightness_temperature(rad_sel[m])
    return ts, eps_tes
