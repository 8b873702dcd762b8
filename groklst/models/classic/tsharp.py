"""TsHARP thermal sharpening and the building blocks shared by the classical sharpeners.

TsHARP (Agam, Kustas, Anderson, Li & Neale, 2007, "A vegetation index based technique for
spatial sharpening of thermal imagery", Remote Sens. Environ. 107:545-558) fits one linear
regression of LST on a vegetation index at the coarse (LR) resolution, applies it to the fine
(HR) vegetation index and adds the LR residual back.

This module also holds what DisTrad (``distrad.py``) and the Data Mining Sharpener (``dms.py``)
share: the coefficient of variation over s × s blocks, selection of homogeneous LR samples, the
LR residual correction and the base class that looks guidance bands up by name. Block means and
LR → HR upsampling are the shared resampling helpers of
:mod:`groklst.models.layers.resample`.
"""
import math
from typing import Dict, List, Optional, Sequence, Union

import torch

from groklst.models.classic.base import PerSceneSharpener
from groklst.models.layers.resample import block_mean, interpolate_lr
from groklst.registry import MODELS
from groklst.structures import LSTDataSample

RESIDUAL_MODES = ('nearest', 'bicubic', 'none')


def block_cv(x: torch.Tensor, scale: int, eps: float = 1e-6) -> torch.Tensor:
    """Coefficient of variation std / |mean| of every s × s block, per band.

    The homogeneity measure of DisTrad (Kustas et al., 2003) and the Data Mining Sharpener
    (Gao et al., 2012): LR pixels whose HR guidance varies little are the ones where the LR
    LST is a faithful sample of the LST-guidance relation.

    Args:
        x: HR values (B, C, s·h, s·w).
        scale: scale factor s.
        eps: floor of |mean| (bands whose mean is close to 0, e.g. NDVI of bare soil).

    Returns:
        (B, C, h, w), population standard deviation over the block divided by max(|mean|, eps).
    """
    mean = block_mean(x, scale)
    var = (block_mean(x * x, scale) - mean * mean).clamp_min(0)
    return var.sqrt() / mean.abs().clamp_min(eps)


def add_lr_residual(pred_hr: torch.Tensor, residual_lr: torch.Tensor, valid_lr: torch.Tensor,
                    scale: int, mode: str) -> torch.Tensor:
    """HR prediction plus the LR residual upsampled to HR (residual 0 on invalid LR pixels).

    Args:
        pred_hr: HR prediction (B, 1, s·h, s·w) in K.
        residual_lr: observed minus predicted LR LST (B, 1, h, w) in K.
        valid_lr: (B, 1, h, w) bool; the residual is unknown (taken as 0) where False.
        scale: scale factor s.
        mode: 'nearest', 'bicubic' or 'none' (no correction).
    """
    if mode == 'none':
        return pred_hr
    residual = torch.where(valid_lr, residual_lr, torch.zeros_like(residual_lr))
    return pred_hr + interpolate_lr(residual, scale, mode)


def select_homogeneous(ok: torch.Tensor, cv: torch.Tensor, fraction: float,
                       min_count: int = 1) -> torch.Tensor:
    """Keep the ``fraction`` of usable LR samples with the lowest coefficient of variation.

    Args:
        ok: (N,) bool, usable samples (valid LST, finite guidance).
        cv: (N,) homogeneity (lower = more homogeneous).
        fraction: in (0, 1]; ceil(fraction · n_ok) samples are kept, at least ``min_count``
            (when that many are usable). Ties are broken by position (stable sort).
        min_count: the fewest samples to keep.

    Returns:
        (N,) bool mask of the selected samples.

    Raises:
        ValueError: ``fraction`` outside (0, 1].
    """
    if not 0 < fraction <= 1:
        raise ValueError(f'The homogeneous fraction must be in (0, 1], got {fraction}')
    n_ok = int(ok.sum())
    if fraction == 1 or n_ok == 0:
        return ok.clone()
    keep = min(n_ok, max(int(math.ceil(fraction * n_ok)), min_count))
    score = torch.where(ok, cv, torch.full_like(cv, float('inf')))
    order = torch.sort(score, stable=True).indices[:keep]
    sel = torch.zeros_like(ok)
    sel[order] = True
    return sel


def lr_validity(lr: torch.Tensor, lr_mask: Optional[torch.Tensor]) -> torch.Tensor:
    """(B, 1, h, w) bool: the given LR mask (all valid when None) and finite LR LST."""
    valid = torch.isfinite(lr)
    if lr_mask is not None:
        if lr_mask.shape != lr.shape:
            raise ValueError(f'LR mask must have the LR shape {tuple(lr.shape)}, '
                             f'got {tuple(lr_mask.shape)}')
        valid = valid & lr_mask.to(device=lr.device, dtype=torch.bool)
    return valid


class BandNameSharpener(PerSceneSharpener):
    """Per-scene sharpener that looks guidance bands up by name.

    The band order comes from ``guidance_bands`` when given (e.g. ``{{_base_.guidance_bands}}``
    in a config), else from the ``guidance_bands`` metainfo of the data samples of the batch
    (set by the dataset), so one config works whatever the band order of the dataset.

    Args:
        scale: scale factor s.
        guidance_bands: band names in channel order, or None (taken from the data samples).
        data_preprocessor, init_cfg, consistency: as :class:`PerSceneSharpener` (subclasses take
            the same three).

    Raises:
        ValueError: (in forward) the data samples carry band names other than
            ``guidance_bands``, or samples of one batch disagree.
    """

    model_kind = 'classic'
    supported_scales = (2, 4, 8)

    def __init__(self, scale: int, guidance_bands: Optional[Sequence[str]] = None,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 consistency: Optional[str] = None):
        self.guidance_bands = list(guidance_bands) if guidance_bands is not None else None
        n_bands = len(self.guidance_bands) if self.guidance_bands else None
        super().__init__(scale=scale, guidance_channels=n_bands,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg,
                         consistency=consistency)
        self._batch_bands: Optional[List[str]] = None

    def forward(self, inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[LSTDataSample]] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, list]:
        bands = None
        if data_samples:
            names = [s.metainfo.get('guidance_bands') for s in data_samples]
            if all(n is not None for n in names):
                bands = list(names[0])
                if any(list(n) != bands for n in names[1:]):
                    raise ValueError(f'{type(self).__name__}: samples of one batch have different '
                                     f'guidance bands: {names}')
                if self.guidance_bands is not None and bands != self.guidance_bands:
                    raise ValueError(f'{type(self).__name__} was configured for guidance bands '
                                     f'{self.guidance_bands} but the data has {bands}')
        self._batch_bands = bands
        try:
            return super().forward(inputs, data_samples, mode)
        finally:
            self._batch_bands = None

    def band_index(self, band: Union[int, str], num_bands: int,
                   band_names: Optional[Sequence[str]] = None) -> int:
        """Channel index of ``band`` (an index, or a name looked up in the band names:
        ``guidance_bands``, else ``band_names``, else the data samples' metainfo).

        Raises:
            ValueError: index out of range; a name with no band names known (neither
                ``guidance_bands`` nor data-sample metainfo), or a name not among them.
        """
        if isinstance(band, int):
            if not -num_bands <= band < num_bands:
                raise ValueError(f'{type(self).__name__}: band index {band} is out of range for '
                                 f'{num_bands} guidance bands')
            return band % num_bands
        names = self.guidance_bands or (list(band_names) if band_names else None) or \
            self._batch_bands
        if names is None:
            raise ValueError(f"{type(self).__name__}: band '{band}' is given by name but the band "
                             'names are unknown: set guidance_bands or pass data samples with '
                             'guidance_bands metainfo (or give the band index)')
        if band not in names:
            raise ValueError(f"{type(self).__name__}: no guidance band '{band}' among {names}")
        return names.index(band)


class NDVIRegressionSharpener(BandNameSharpener):
    """Regression of LST on an NDVI polynomial at LR, applied at HR, LR residual added back.

    For every scene (sample) separately::

        NDVI_LR = block mean of NDVI_HR over s × s blocks
        LST_LR  ≈ Σ_j c_j · φ_j(NDVI_LR)       least squares on the selected valid LR pixels
        ΔT_LR   = LST_LR − Σ_j c_j · φ_j(NDVI_LR)        (residual; 0 on invalid LR pixels)
        LST_HR  = Σ_j c_j · φ_j(NDVI_HR) + upsample(ΔT_LR)

    Scene-level fit (:meth:`fit_scene`, used by the scene tools): the coefficients c are fitted
    once on the LR pixels of a whole scene (or a bounded random sample of them) and every tile
    is sharpened with them, so a tiled scene equals the scene sharpened in one piece.

    Subclasses define the basis φ (:meth:`design`). Samples can be restricted to the most
    homogeneous LR pixels (lowest coefficient of variation of NDVI within the block). With fewer
    than ``min_samples`` usable LR pixels the regression falls back to the scene mean (c = mean,
    slope 0), so the output is the upsampled LR LST. HR pixels with non-finite guidance get the
    LR LST of their block (nearest). Arithmetic is float64; output in the LR dtype.

    The NDVI band must hold physical NDVI (the pipeline must not normalize the guidance).

    Args:
        scale: scale factor s.
        ndvi_band: NDVI band name (looked up as in :class:`BandNameSharpener`) or index.
        guidance_bands: band names in channel order, or None.
        homogeneous_fraction: fraction (0, 1] of usable LR pixels, lowest NDVI CV first, used
            for the fit.
        residual: LR residual upsampling, 'nearest' (block-conservative), 'bicubic' or 'none'.
        min_samples: fewest LR samples to fit the regression (at least the number of
            coefficients).

    Raises:
        ValueError: an unknown residual mode; a homogeneous fraction outside (0, 1]; (at predict
            time) NDVI values outside [-1, 1] (normalized guidance) and the errors of
            :func:`check_lr_guidance` and :meth:`band_index`.
    """

    num_coefficients = 2

    def __init__(self, scale: int, ndvi_band: Union[int, str] = 'ndvi',
                 guidance_bands: Optional[Sequence[str]] = None,
                 homogeneous_fraction: float = 1.0, residual: str = 'nearest',
                 min_samples: int = 3, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None, consistency: Optional[str] = None):
        super().__init__(scale=scale, guidance_bands=guidance_bands,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg,
                         consistency=consistency)
        if residual not in RESIDUAL_MODES:
            raise ValueError(f'residual must be one of {RESIDUAL_MODES}, got {residual!r}')
        if not 0 < homogeneous_fraction <= 1:
            raise ValueError(f'homogeneous_fraction must be in (0, 1], got {homogeneous_fraction}')
        self.ndvi_band = ndvi_band
        self.homogeneous_fraction = float(homogeneous_fraction)
        self.residual = residual
        self.min_samples = max(int(min_samples), self.num_coefficients)

    def design(self, ndvi: torch.Tensor) -> torch.Tensor:
        """Basis φ(NDVI): (...) → (..., P) with P = ``num_coefficients``."""
        raise NotImplementedError

    def ndvi(self, guidance: torch.Tensor) -> torch.Tensor:
        """NDVI band (B, 1, H, W) float64 of the guidance (B, K, H, W).

        Raises:
            ValueError: finite NDVI values outside [-1, 1] (the guidance was normalized).
        """
        idx = self.band_index(self.ndvi_band, guidance.shape[1])
        return self._check_ndvi(guidance[:, idx:idx + 1].double(), f'channel {idx}')

    def _check_ndvi(self, ndvi: torch.Tensor, where: str) -> torch.Tensor:
        finite = ndvi[torch.isfinite(ndvi)]
        if finite.numel() and (finite.min() < -1.001 or finite.max() > 1.001):
            raise ValueError(
                f'{type(self).__name__}: NDVI band {self.ndvi_band!r} ({where}) has values '
                f'in [{float(finite.min()):.3g}, {float(finite.max()):.3g}], outside [-1, 1]: the '
                'guidance looks normalized; leave NormalizeGuidance out of the test pipeline')
        return ndvi

    def scene_fit_bands(self, num_bands: int,
                        band_names: Optional[Sequence[str]] = None) -> List[int]:
        """The NDVI channel: ``[index of ndvi_band]`` (raises as :meth:`band_index`)."""
        return [self.band_index(self.ndvi_band, num_bands, band_names)]

    def fit_scene(self, lr: torch.Tensor, guidance: torch.Tensor,
                  lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Coefficients c (P,) float64 fitted on a scene: LR (1, 1, h, w) in K, guidance
        (1, 1, s·h, s·w) = the NDVI band only (:meth:`scene_fit_bands`), LR mask or None.

        Raises:
            ValueError: NDVI outside [-1, 1] (normalized guidance); not one scene.
        """
        if lr.shape[0] != 1 or guidance.shape[:2] != (1, 1):
            raise ValueError(f'{type(self).__name__}.fit_scene expects one scene (1, 1, h, w) '
                             f'and its NDVI band (1, 1, s·h, s·w); got {tuple(lr.shape)} and '
                             f'{tuple(guidance.shape)}')
        ndvi = self._check_ndvi(guidance.double(), 'scene fit')
        return self._fit(lr.double(), ndvi, lr_validity(lr, lr_mask))[0][0]

    def fit(self, lr: torch.Tensor, guidance: torch.Tensor,
            lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Regression coefficients c (B, P) of every scene; LR (B, 1, h, w) in K, guidance
        (B, K, s·h, s·w), LR mask (B, 1, h, w) bool or None. Raises as :meth:`ndvi`."""
        return self._fit(lr.double(), self.ndvi(guidance), lr_validity(lr, lr_mask))[0]

    def _fit(self, lr: torch.Tensor, ndvi_hr: torch.Tensor, valid: torch.Tensor):
        ndvi_lr = block_mean(ndvi_hr, self.scale)
        cv = block_cv(ndvi_hr, self.scale)
        coefs = []
        for b in range(lr.shape[0]):
            y, x = lr[b].flatten(), ndvi_lr[b].flatten()
            ok = valid[b].flatten() & torch.isfinite(x) & torch.isfinite(y)
            sel = select_homogeneous(ok, cv[b].flatten(), self.homogeneous_fraction,
                                     self.min_samples)
            c = torch.zeros(self.num_coefficients, dtype=torch.float64, device=lr.device)
            if int(sel.sum()) >= self.min_samples:
                a = self.design(x[sel])
                # on the CPU (a few LR pixels): its default driver copes with a rank-deficient
                # design (constant NDVI); CUDA's 'gels' assumes full rank
                c = torch.linalg.lstsq(a.cpu(), y[sel, None].cpu()).solution[:, 0].to(lr.device)
            elif bool(ok.any()):
                c[0] = y[ok].mean()
            else:  # no valid LR pixel: the loader's fill values are all there is
                c[0] = torch.nan_to_num(y).mean()
            coefs.append(c)
        return torch.stack(coefs), ndvi_lr

    def sharpen(self, lr: torch.Tensor, guidance: Optional[torch.Tensor],
                lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """HR LST (B, 1, s·h, s·w) in K; see the class docstring."""
        ndvi_hr = self.ndvi(guidance)
        lr64 = lr.double()
        valid = lr_validity(lr, lr_mask)
        if self._scene_state is None:
            coefs, ndvi_lr = self._fit(lr64, ndvi_hr, valid)
        else:  # fitted on the whole scene: the same coefficients for every tile
            coefs = self._scene_state.to(lr64).expand(lr.shape[0], -1)
            ndvi_lr = block_mean(ndvi_hr, self.scale)
        pred_lr = (self.design(ndvi_lr) * coefs[:, None, None, None]).sum(-1)
        pred_hr = (self.design(ndvi_hr) * coefs[:, None, None, None]).sum(-1)
        residual = lr64 - pred_lr
        out = add_lr_residual(pred_hr, residual, valid & torch.isfinite(residual), self.scale,
                              self.residual)
        fallback = interpolate_lr(lr64, self.scale, 'nearest')
        out = torch.where(torch.isfinite(out), out, fallback)
        return out.to(lr.dtype)


def fractional_cover(ndvi: torch.Tensor) -> torch.Tensor:
    """Fractional vegetation cover f = 1 − (1 − NDVI)^0.625 (NDVI clipped to [-1, 1]).

    The vegetation-cover transform of NDVI used by TsHARP (Agam et al., 2007, Remote Sens.
    Environ. 107:545-558), NDVI_min = 0 and NDVI_max = 1 in the scaled form.
    """
    return 1.0 - (1.0 - ndvi.clamp(-1.0, 1.0)) ** 0.625


@MODELS.register_module()
class TsHARP(NDVIRegressionSharpener):
    """TsHARP: LST = a + b · f(NDVI) fitted at LR, applied at HR, LR residual added back.

    Agam, N., Kustas, W. P., Anderson, M. C., Li, F., Neale, C. M. U. (2007). "A vegetation
    index based technique for spatial sharpening of thermal imagery". Remote Sensing of
    Environment 107:545-558.

    Per scene (formulas of :class:`NDVIRegressionSharpener` with φ = (1, f)):

        f(NDVI) = 1 − (1 − NDVI)^0.625     (fractional cover, ``predictor='fc'``)
        f(NDVI) = NDVI                       (``predictor='ndvi'``)
        (a, b)  = least squares of LST_LR on f(NDVI_LR) over valid LR pixels,
                  NDVI_LR the mean of NDVI_HR over each s × s block
        LST_HR  = a + b · f(NDVI_HR) + ΔT_LR upsampled ('nearest' as the paper's residual
                  correction, or 'bicubic'), ΔT_LR = LST_LR − (a + b · f(NDVI_LR))

    Inputs: LR LST (B, 1, h, w) in K, guidance (B, K, s·h, s·w) with physical NDVI; output
    (B, 1, s·h, s·w) in K.

    Args:
        scale: scale factor s.
        ndvi_band: NDVI band name or index (default 'ndvi').
        guidance_bands: band names in channel order, or None (from the data samples).
        predictor: 'fc' (fractional cover, default) or 'ndvi'.
        residual: 'nearest' (default), 'bicubic' or 'none'.
        homogeneous_fraction: fraction of LR pixels, most homogeneous first, used for the fit
            (1.0, all, as the paper).
        min_samples: fewest LR samples for the fit (else the scene mean is used).

    Raises:
        ValueError: an unknown predictor; see :class:`NDVIRegressionSharpener`.
    """

    paper = ('Agam et al., "A vegetation index based technique for spatial sharpening of '
             'thermal imagery" (TsHARP), Remote Sens. Environ. 2007')

    def __init__(self, scale: int, ndvi_band: Union[int, str] = 'ndvi',
                 guidance_bands: Optional[Sequence[str]] = None, predictor: str = 'fc',
                 residual: str = 'nearest', homogeneous_fraction: float = 1.0,
                 min_samples: int = 3, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None, consistency: Optional[str] = None):
        if predictor not in ('fc', 'ndvi'):
            raise ValueError(f"TsHARP predictor must be 'fc' or 'ndvi', got {predictor!r}")
        self.predictor = predictor
        super().__init__(scale=scale, ndvi_band=ndvi_band, guidance_bands=guidance_bands,
                         homogeneous_fraction=homogeneous_fraction, residual=residual,
                         min_samples=min_samples, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg, consistency=consistency)

    def design(self, ndvi: torch.Tensor) -> torch.Tensor:
        """φ = (1, f(NDVI)): (...) → (..., 2)."""
        f = fractional_cover(ndvi) if self.predictor == 'fc' else ndvi
        return torch.stack([torch.ones_like(f), f], dim=-1)
