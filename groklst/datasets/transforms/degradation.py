"""Degradations that make a coarser LST from an LST field: the LR′ of Wald's-protocol training on
a user's own coarse LST, and the coarse LST of the self-supervised benchmark.

A degradation maps an (H, W) LST in K (NaN = no data) onto the grid ``s`` times coarser. Two
models, registered in ``TRANSFORMS`` so that a config chooses one by name
(``CoarseSceneDataset(degradation=dict(type=...))``):

* :class:`BoxDegradation` — Wald's protocol (Wald, Ranchin & Mangolini, 1997, Photogramm. Eng.
  Remote Sens. 63:691-699): the mean of the valid pixels of each s × s block.
* :class:`SensorDegradation` — a coarse thermal sensor: a Gaussian point-spread function wider
  than the pixel (FWHM in coarse pixels), sub-pixel geolocation jitter of the footprint,
  an inter-sensor bias and NEΔT-like noise. The PSF stands for the detector, optics and
  re-gridding together: the along-scan response of MODIS alone is triangular with FWHM = 1 px
  and a 2 px base (Wolfe, Roy & Vermote, 1998, IEEE TGRS 36:1324-1338), and gridding widens the
  effective footprint further (Tan et al., 2006, Remote Sens. Environ. 105:98-114).

Validity rule (both): a coarse pixel is valid when at least ``min_valid_fraction`` of the fine
pixels of its block are valid (default 0.9: the rule of the Landsat-8 demo converter and of the
self-supervised benchmark, so LR′ in training follows the same rule as the coarse LST the model
is applied to); the sensor model also needs ``psf_valid_weight`` of its footprint weight on
valid pixels (invalid pixels are left out of the footprint: an ideal cloud mask).
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np

from groklst.datasets.stats import masked_block_mean
from groklst.registry import TRANSFORMS

__all__ = ['BoxDegradation', 'SensorDegradation', 'gaussian_psf_weights', 'sensor_coarse_lst']

#: Standard deviation of a Gaussian per unit of FWHM: 1 / (2·sqrt(2·ln 2)).
_SIGMA_PER_FWHM = 1.0 / (2.0 * math.sqrt(2.0 * math.log(2.0)))
#: Gaussian PSF truncated beyond this many standard deviations.
PSF_TRUNCATION = 4.0


def _check_fraction(value: float, name: str, lo_open: bool = True) -> float:
    value = float(value)
    if not ((0 < value) if lo_open else (0 <= value)) or value > 1:
        raise ValueError(f'{name} must be in {"(0" if lo_open else "[0"}, 1], got {value}')
    return value


def gaussian_psf_weights(n_coarse: int, scale: int, fwhm: float, shift: float, start: int,
                         n_fine: int) -> np.ndarray:
    """1-D Gaussian point-spread weights of coarse pixels over fine pixels (unnormalized).

    Coarse pixel i, whose block starts at fine index ``start + i·s``, is centred at fine
    coordinate ``start + i·s + (s − 1)/2 + shift·s`` (fine pixel centres at integers);
    σ = FWHM · s / (2·sqrt(2·ln 2)) fine pixels; weights beyond 4 σ are 0.

    Args:
        n_coarse: number of coarse pixels.
        scale: s, fine pixels per coarse pixel.
        fwhm: full width at half maximum in coarse pixels (> 0).
        shift: footprint displacement in coarse pixels (geolocation error).
        start: fine index where the first coarse block starts.
        n_fine: number of fine pixels the weights run over.

    Returns:
        (n_coarse, n_fine) float64.

    Raises:
        ValueError: ``fwhm`` not positive.
    """
    if not fwhm > 0:
        raise ValueError(f'PSF FWHM must be > 0 coarse pixels, got {fwhm}')
    sigma = fwhm * scale * _SIGMA_PER_FWHM
    centres = start + np.arange(n_coarse) * scale + (scale - 1) / 2 + shift * scale
    d = np.arange(n_fine)[None, :] - centres[:, None]
    w = np.exp(-0.5 * (d / sigma) ** 2)
    w[np.abs(d) > PSF_TRUNCATION * sigma] = 0.0
    return w


def sensor_coarse_lst(lst: np.ndarray, valid: np.ndarray, rows: Tuple[int, int],
                      cols: Tuple[int, int], scale: int, fwhm: float,
                      jitter: Tuple[float, float], bias: float, noise_sd: float,
                      rng: np.random.Generator, min_valid_fraction: float = 0.9,
                      psf_valid_weight: float = 0.75) -> np.ndarray:
    """Coarse LST of fine rows ``rows`` × cols ``cols`` of ``lst`` as a coarse sensor sees it.

    The footprint runs over the whole of ``lst``, so context outside the window is used; each
    coarse value is the PSF-weighted mean of the valid fine pixels, plus ``bias`` and i.i.d.
    N(0, noise_sd) noise.

    Args:
        lst: (H, W) fine LST in K (values at invalid pixels ignored).
        valid: (H, W) bool, valid fine pixels.
        rows, cols: (start, stop) fine indices of the window; lengths multiples of ``scale``.
        scale: s.
        fwhm: PSF FWHM in coarse pixels.
        jitter: (row, col) footprint displacement in coarse pixels.
        bias: K added to every valid coarse pixel.
        noise_sd: K, standard deviation of the noise.
        rng: random generator of the noise (one normal draw per valid coarse pixel, row-major).
        min_valid_fraction: lowest valid fraction of the s × s block, (0, 1].
        psf_valid_weight: lowest fraction of the footprint weight on valid pixels, [0, 1].

    Returns:
        (h, w) float32 coarse LST in K, NaN where invalid.

    Raises:
        ValueError: window lengths not multiples of ``scale``; fractions out of range.
    """
    r0, r1 = rows
    c0, c1 = cols
    if (r1 - r0) % scale or (c1 - c0) % scale or r1 <= r0 or c1 <= c0:
        raise ValueError(f'window rows {r0}:{r1}, cols {c0}:{c1} is not a non-empty multiple '
                         f'of the scale {scale}')
    _check_fraction(min_valid_fraction, 'min_valid_fraction')
    _check_fraction(psf_valid_weight, 'psf_valid_weight', lo_open=False)
    h, w = (r1 - r0) // scale, (c1 - c0) // scale
    wy = gaussian_psf_weights(h, scale, fwhm, jitter[0], r0, lst.shape[0])
    wx = gaussian_psf_weights(w, scale, fwhm, jitter[1], c0, lst.shape[1])
    tv = np.where(valid, lst, 0.0).astype(np.float64)
    num = wy @ tv @ wx.T
    den = wy @ valid.astype(np.float64) @ wx.T
    tot = wy.sum(1)[:, None] * wx.sum(1)[None, :]
    block = valid[r0:r1, c0:c1].reshape(h, scale, w, scale).mean(axis=(1, 3))
    ok = (block >= min_valid_fraction) & (den >= psf_valid_weight * tot)
    out = np.full((h, w), np.nan)
    out[ok] = num[ok] / den[ok] + bias + rng.normal(0.0, noise_sd, size=int(ok.sum()))
    return out.astype(np.float32)


class _Degradation:
    """Interface: ``context(scale)`` and ``__call__(lst, scale, rng)``."""

    def context(self, scale: int) -> int:
        """Coarse pixels of context the degradation reads on each side of its output."""
        return 0

    def __call__(self, lst: np.ndarray, scale: int,
                 rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """Degrade ``lst`` (H, W) K, NaN = no data, with ``context(scale)·s`` fine pixels of
        context on every side, to (H/s − 2·context, W/s − 2·context) float32 K, NaN = no data.
        ``rng``: random generator (default NumPy's global one, re-seeded per dataloader worker
        by MMEngine)."""
        raise NotImplementedError

    @staticmethod
    def _check(lst: np.ndarray, scale: int, context: int) -> np.ndarray:
        lst = np.asarray(lst, dtype=np.float64)
        if lst.ndim != 2 or lst.shape[0] % scale or lst.shape[1] % scale or \
                min(lst.shape) <= 2 * context * scale:
            raise ValueError(f'degradation input must be (H, W) with H, W multiples of the '
                             f'scale {scale} and more than {2 * context * scale} pixels of '
                             f'context, got {lst.shape}')
        return lst


@TRANSFORMS.register_module()
class BoxDegradation(_Degradation):
    """Wald's protocol: block mean of the valid pixels (module docstring).

    Args:
        min_valid_fraction: lowest valid fraction of a block, (0, 1] (default 0.9).

    Raises:
        ValueError: ``min_valid_fraction`` outside (0, 1]; (when called) a bad input shape.
    """

    def __init__(self, min_valid_fraction: float = 0.9) -> None:
        self.min_valid_fraction = _check_fraction(min_valid_fraction, 'min_valid_fraction')

    def __call__(self, lst, scale, rng=None):
        lst = self._check(lst, scale, 0)
        return masked_block_mean(lst, np.isfinite(lst), scale, self.min_valid_fraction)

    def __repr__(self) -> str:
        return f'BoxDegradation(min_valid_fraction={self.min_valid_fraction})'


@TRANSFORMS.register_module()
class SensorDegradation(_Degradation):
    """A coarse thermal sensor (module docstring): Gaussian PSF, jitter, bias, noise.

    Per call (one sample, i.e. one simulated acquisition) the footprint is displaced by
    ``clip(N(0, jitter_sd), ±jitter_max)`` coarse pixels on each axis and a bias
    ``N(bias_mean, bias_sd)`` K is drawn; every valid coarse pixel gets N(0, noise_sd) K noise.
    The defaults are those of the self-supervised benchmark's sensor degradation except bias
    and jitter (0 here: a simulated LR′ should not teach the network to remove a bias).

    Args:
        psf_fwhm: PSF FWHM in coarse pixels (benchmark: 1.5).
        noise_sd: K (benchmark: 0.4).
        bias_mean, bias_sd: K.
        jitter_sd, jitter_max: coarse pixels.
        min_valid_fraction: lowest valid fraction of a block, (0, 1].
        psf_valid_weight: lowest footprint weight on valid pixels, [0, 1].

    Raises:
        ValueError: non-positive FWHM, negative spreads, fractions out of range.
    """

    def __init__(self, psf_fwhm: float = 1.5, noise_sd: float = 0.4, bias_mean: float = 0.0,
                 bias_sd: float = 0.0, jitter_sd: float = 0.0, jitter_max: float = 0.5,
                 min_valid_fraction: float = 0.9, psf_valid_weight: float = 0.75) -> None:
        if not psf_fwhm > 0:
            raise ValueError(f'psf_fwhm must be > 0 coarse pixels, got {psf_fwhm}')
        for name, v in (('noise_sd', noise_sd), ('bias_sd', bias_sd), ('jitter_sd', jitter_sd),
                        ('jitter_max', jitter_max)):
            if v < 0:
                raise ValueError(f'{name} must be >= 0, got {v}')
        self.psf_fwhm = float(psf_fwhm)
        self.noise_sd = float(noise_sd)
        self.bias_mean, self.bias_sd = float(bias_mean), float(bias_sd)
        self.jitter_sd, self.jitter_max = float(jitter_sd), float(jitter_max)
        self.min_valid_fraction = _check_fraction(min_valid_fraction, 'min_valid_fraction')
        self.psf_valid_weight = _check_fraction(psf_valid_weight, 'psf_valid_weight',
                                                lo_open=False)

    def context(self, scale: int) -> int:
        reach = PSF_TRUNCATION * self.psf_fwhm * _SIGMA_PER_FWHM + self.jitter_max + 0.5
        return int(math.ceil(reach))

    def __call__(self, lst, scale, rng=None):
        m = self.context(scale)
        lst = self._check(lst, scale, m)
        if rng is None:
            rng = np.random.default_rng(np.random.randint(0, 2 ** 31 - 1))
        jitter = tuple(float(np.clip(rng.normal(0.0, self.jitter_sd), -self.jitter_max,
                                     self.jitter_max)) if self.jitter_sd else 0.0
                       for _ in range(2))
        bias = float(rng.normal(self.bias_mean, self.bias_sd)) if self.bias_sd \
            else self.bias_mean
        h, w = lst.shape
        return sensor_coarse_lst(lst, np.isfinite(lst), (m * scale, h - m * scale),
                                 (m * scale, w - m * scale), scale, self.psf_fwhm, jitter, bias,
                                 self.noise_sd, rng, self.min_valid_fraction,
                                 self.psf_valid_weight)

    def __repr__(self) -> str:
        return (f'SensorDegradation(psf_fwhm={self.psf_fwhm}, noise_sd={self.noise_sd}, '
                f'bias=N({self.bias_mean}, {self.bias_sd}), jitter_sd={self.jitter_sd})')
