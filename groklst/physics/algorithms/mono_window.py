"""Mono-window LST algorithm of Qin, Karnieli & Berliner (2001).

Qin, Z., Karnieli, A., Berliner, P. (2001), "A mono-window algorithm for
retrieving land surface temperature from Landsat TM data and its
application to the Israel-Egypt border region", Int. J. Remote Sens.
22(18):3719-3746.  Linearising the Planck function of TM band 6 as
``L = L(T)(a + b T)`` gives

    Ts = [a (1 - C - D) + (b (1 - C - D) + C + D) T6 - D Ta] / C
    C  = eps tau,    D = (1 - tau) [1 + (1 - eps) tau]

with ``T6`` the band brightness temperature, ``Ta`` the effective mean
atmospheric temperature and ``tau`` the band transmittance (all K except
``tau``, ``eps``).

Coefficients (Qin et al. 2001):

* ``a = -67.355351``, ``b = 0.458606`` for 0-70 degC (the paper's
  linearisation table of TM6, temperature range 0-70 degC);
* ``Ta`` from the near-surface air temperature ``T0`` (K) for the four
  standard atmospheres (the paper's table of effective mean atmospheric
  temperature): US 1976 ``25.9396 + 0.88045 T0``, tropical
  ``17.9769 + 0.91715 T0``, mid-latitude summer ``16.0110 + 0.92621 T0``,
  mid-latitude winter ``19.2704 + 0.91118 T0``;
* ``tau`` from the water vapour column ``w`` (g cm-2) (the paper's
  transmittance table): high air temperature (35 degC) ``0.974290 -
  0.08007 w`` (0.4-1.6) and ``1.031412 - 0.11536 w`` (1.6-3.0); low air
  temperature (18 degC) ``0.982007 - 0.09611 w`` (0.4-1.6) and
  ``1.053710 - 0.14142 w`` (1.6-3.0).

Verification: ``a``, ``b``, the mid-latitude-summer ``Ta`` and the first
high-temperature ``tau`` row were checked against an independent public
implementation; the other rows are as published to our knowledge but not
independently verified here, and the table numbers are not verified (the
paper is paywalled).  The coefficients are for Landsat-5 TM band 6; for
other bands pass your own ``a``, ``b``, ``tau`` and ``Ta``.
"""

from __future__ import annotations

import numpy as np

from ..validation import check_range

__all__ = ['MIN_KELVIN', 'QIN2001_AB', 'QIN2001_TA', 'QIN2001_TAU',
           'qin_effective_air_temperature', 'qin_transmittance',
           'mono_window']

#: Lowest temperature (K) accepted for ``bt`` and ``ta`` by
#: :func:`mono_window`; smaller values are taken to be degrees Celsius.
MIN_KELVIN = 150.0

#: Linearisation coefficients of TM6 for 0-70 degC.
QIN2001_AB = (-67.355351, 0.458606)
#: Effective mean atmospheric temperature Ta = c0 + c1 T0 (K).
QIN2001_TA = {
    'us1976': (25.9396, 0.88045),
    'tropical': (17.9769, 0.91715),
    'midlatitude_summer': (16.0110, 0.92621),
    'midlatitude_winter': (19.2704, 0.91118),
}
#: Transmittance tau = c0 + c1 w per air-temperature profile and w range.
QIN2001_TAU = {
    'high': {(0.4, 1.6): (0.974290, -0.08007), (1.6, 3.0): (1.031412,
                                                             -0.11536)},
    'low': {(0.4, 1.6): (0.982007, -0.09611), (1.6, 3.0): (1.053710,
                                                           -0.14142)},
}


def qin_effective_air_temperature(t0, atmosphere: str = 'midlatitude_summer'
                                  ) -> np.ndarray:
    """Effective mean atmospheric temperature Ta (K) from air temp T0 (K)."""
    c0, c1 = QIN2001_TA[atmosphere]
    return c0 + c1 * np.asarray(t0, dtype=np.float64)


def qin_transmittance(wvc, profile: str = 'high') -> np.ndarray:
    """TM6 transmittance from the water vapour column (g cm-2, 0.4-3.0).

    Columns outside 0.4-3.0 g cm-2 raise (the fit's validity range).
    """
    w = np.asarray(wvc, dtype=np.float64)
    if np.any(w < 0.4) or np.any(w > 3.0):
        raise ValueError('Qin et al. (2001) transmittance fits cover '
                         '0.4-3.0 g cm-2')
    (r1, (a1, b1)), (r2, (a2, b2)) = QIN2001_TAU[profile].items()
    return np.where(w <= r1[1], a1 + b1 * w, a2 + b2 * w)


def mono_window(bt, emissivity, tau, ta, a: float = QIN2001_AB[0],
                b: float = QIN2001_AB[1]) -> np.ndarray:
    """Qin et al. (2001) mono-window LST (K); inputs broadcast.

    Args:
        bt: Band brightness temperature ``T6`` in K.
        emissivity: Band emissivity in (0, 1].
        tau: Band transmittance in (0, 1].
        ta: Effective mean atmospheric temperature ``Ta`` in K.
        a, b: Planck linearisation coefficients (default TM6, 0-70 degC).

    Returns:
        LST in K (float64, broadcast shape); NaN inputs propagate.

    Raises:
        ValueError: emissivity or tau outside (0, 1]; ``bt`` or ``ta``
            below :data:`MIN_KELVIN` (150 K: lower than any terrestrial
            surface or effective atmospheric temperature, so such values
            are almost surely degrees Celsius).
    """
    where = 'mono_window'
    hint = 'looks like degrees Celsius; pass kelvin'
    t6 = check_range(bt, 'bt', where, low=MIN_KELVIN, allow_nan=True,
                     unit='K', hint=hint)
    ta = check_range(ta, 'ta', where, low=MIN_KELVIN, allow_nan=True,
                     unit='K', hint=hint)
    eps = check_range(emissivity, 'emissivity', where, low=0.0, high=1.0,
                      low_open=True, allow_nan=True)
    tau = check_range(tau, 'tau', where, low=0.0, high=1.0, low_open=True,
                      allow_nan=True)
    c = eps * tau
    d = (1 - tau) * (1 + (1 - eps) * tau)
    return (a * (1 - c - d) + (b * (1 - c - d) + c + d) * t6 - d * ta) / c
