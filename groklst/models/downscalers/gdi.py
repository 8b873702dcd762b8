"""Guided detail injection (GDI): self-supervised LST downscaling that adds to bicubic only the
detail the guidance explains and the coarse sensor could not see.

Method (groklst, issue 15; measured in ``docs/selfsupervised.md``)::

    pred = U(LR) + B_out(h) − U(P(h)),      h = MLP([(U(LR) − μ)/σ_LST, guidance])

* U: bicubic upsampling by s (``interpolate_lr``, align_corners=False);
* h (B, 1, H, W) K: a per-pixel network (1 × 1 convolutions) on the normalised fine guidance and
  the normalised upsampled LR (the local temperature level, so that the LST–guidance relation may
  change across a scene, as DMS's local regressions do: Gao, Kustas & Anderson 2012, Remote Sens.
  4:3287–3319); its last layer starts at zero, so an untrained model *is* bicubic;
* P: the coarse sensor's footprint (:class:`~groklst.models.layers.SensorFootprint`, s × s box ⊗
  Gaussian of σ coarse pixels, σ fitted by the training loss and kept in the checkpoint): what
  of h the coarse pixel already holds, removed so that it is not counted twice;
* B_out: a Gaussian band limit of standard deviation σ_out = factor · σ · coarse pixel size
  metres on the fine grid (the fine pixel size comes from the georeference at inference): no
  detail finer than the fitted coarse footprint can confirm. Everything in it is fitted on the
  coarse LST; the optional cap ``max_m`` (metres) states the resolution of the fine LST the
  user wants, a prior the coarse data cannot identify: it is off by default (an 80 m cap gains
  more on the benchmark, whose reference is a 100 m thermal sensor's LST on a 30 m grid, but that
  value was found with the reference, so it is reported, not used; ``docs/selfsupervised.md``).

There is no path from the LR to the output other than U (the LR enters h only as a per-pixel
context value), so the model cannot learn to deblur the coarse LST nor amplify its noise.

Self-supervised training (no fine LST): Wald's protocol run through the sensor model, on
'native_wald' samples of :class:`~groklst.datasets.CoarseSceneDataset` (a crop of the coarse LST
with the fine guidance under it)::

    LR′ = box_s(LR)                    (fixed s × s block mean of the valid pixels; an LR′ pixel
                                        counts when ≥ ``min_valid_fraction`` of it is valid)
    H   = P(h(G_fine, U(U(LR′))))      (h seen by the coarse sensor, on the LR grid)
    pred_c = U(LR′) + H − U(box_s(H))  compared with LR (masked MSE in K²)

so h is a function of fine pixels fitted through the sensor's aggregation, without assuming that
the LST–guidance relation is the same at the coarse and the fine scale, and σ is fitted by the
same loss. P0 = box stays fixed (tying it to σ pulls σ towards sharper inputs and changes the
validation task during training).
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel

from groklst.models.layers.footprint import (SensorFootprint, fill_from_neighbours,
                                             gaussian_blur)
from groklst.models.layers.resample import (block_mean, check_lr_guidance, interpolate_lr,
                                            project_to_lr)
from groklst.registry import MODELS
from groklst.structures import LSTDataSample

from .downscaler import CONSISTENCY_MODES, Downscaler

__all__ = ['GuidedDetailDownscaler', 'DetailMLP', 'band_limit_sigma_px', 'NATIVE_WALD']

#: The sample kind of GDI training and validation crops (metainfo ``sample_kind``).
NATIVE_WALD = 'native_wald'


def band_limit_sigma_px(sigma_coarse_px: float, scale: int, pixel_size_m: float,
                        factor: float = 1.0, max_m: Optional[float] = None) -> float:
    """Standard deviation of the output band limit B_out in fine pixels.

    σ_out = factor · σ · s · pixel metres (at most ``max_m`` when given), divided by the fine
    pixel size.

    Args:
        sigma_coarse_px: the fitted footprint σ in coarse pixels.
        scale: s.
        pixel_size_m: fine (guidance) pixel size in metres (> 0).
        factor: multiplier of the footprint σ.
        max_m: cap in metres (None, the default: no cap).

    Raises:
        ValueError: ``pixel_size_m`` not a positive finite number.
    """
    if not (isinstance(pixel_size_m, (int, float)) and math.isfinite(pixel_size_m)
            and pixel_size_m > 0):
        raise ValueError(f'the fine pixel size must be a positive number of metres, got '
                         f'{pixel_size_m!r}')
    metres = factor * float(sigma_coarse_px) * int(scale) * float(pixel_size_m)
    if max_m is not None:
        metres = min(metres, float(max_m))
    return metres / float(pixel_size_m)


class DetailMLP(nn.Module):
    """h: a per-pixel MLP of 1 × 1 convolutions, (B, C_in, H, W) → (B, 1, H, W) K.

    ``layers`` hidden layers of ``hidden`` channels with GELU; the output layer starts at zero
    (weights and bias), so h ≡ 0 before training.
    """

    def __init__(self, in_channels: int, hidden: int = 32, layers: int = 2) -> None:
        super().__init__()
        if in_channels < 1 or hidden < 1 or layers < 1:
            raise ValueError(f'DetailMLP needs in_channels, hidden, layers >= 1, got '
                             f'{in_channels}, {hidden}, {layers}')
        mods: List[nn.Module] = []
        c = in_channels
        for _ in range(layers):
            mods += [nn.Conv2d(c, hidden, 1), nn.GELU()]
            c = hidden
        out = nn.Conv2d(c, 1, 1)
        nn.init.zeros_(out.weight)
        nn.init.zeros_(out.bias)
        self.net = nn.Sequential(*mods, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@MODELS.register_module()
class GuidedDetailDownscaler(BaseModel):
    """Guided detail injection (module docstring): self-supervised downscaling of coarse LST.

    Args:
        scale: scale factor s.
        guidance_channels: K guidance bands.
        lst_norm: ``dict(stats_file=..., key='lst')`` or ``dict(mean=..., std=...)`` K, the
            normalisation of the LR context fed to h (buffers, kept in checkpoints).
        hidden, layers: width and depth of h (:class:`DetailMLP`).
        lr_context: feed the normalised U(LR) to h (default True).
        footprint: ``dict(sigma=0.3, learn=True)``: initial σ (coarse pixels) of the sensor
            footprint P and whether it is fitted (:class:`SensorFootprint`).
        band_limit: ``dict(factor=1.0, max_m=None)`` (:func:`band_limit_sigma_px`; a number
            ``max_m`` caps σ_out at that many metres), or None: no band limit (then no pixel
            size is needed).
        min_valid_fraction: an LR′ pixel of the coarse-level training counts when at least this
            fraction of its s × s LR pixels is valid, (0, 1].
        consistency: None or 'hard' (:func:`~groklst.models.layers.resample.project_to_lr`
            after the native forward: the output block-averages exactly to the LR on valid LR
            pixels).
        loss: masked pixel loss of the coarse level (default ``MaskedMSELoss``), in K.
        data_preprocessor: defaults to ``LSTDataPreprocessor``.

    Modes: 'loss' (every sample of kind ``'native_wald'``) → ``{'loss': scalar}``; 'predict' →
    data samples with ``pred_lst``: the coarse-level prediction (1, h, w) for 'native_wald'
    samples (NaN where the target is not scored, for self-supervised validation), else the fine
    LST (1, s·h, s·w) K; 'tensor' → the fine LST (B, 1, s·h, s·w) K. The fine forwards read the
    fine pixel size in metres from the data samples' ``hr_pixel_size`` (set by
    :func:`groklst.apis.downscale_scene` from the guidance's georeference) when a band limit is
    on, and the LR validity from ``lr_mask``.

    Raises:
        ValueError: bad arguments; at run time guidance missing or not (B, K, s·h, s·w), a band
            limit without a pixel size, 'loss' on samples of another kind, an unknown mode.
    """

    config_buffers = Downscaler.config_buffers
    uses_guidance = True

    def __init__(self, scale: int, guidance_channels: int, lst_norm: Optional[dict] = None,
                 hidden: int = 32, layers: int = 2, lr_context: bool = True,
                 footprint: Optional[dict] = None,
                 band_limit: Optional[dict] = dict(factor=1.0, max_m=None),
                 min_valid_fraction: float = 0.8, consistency: Optional[str] = None,
                 loss: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='LSTDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if int(scale) != scale or scale < 2:
            raise ValueError(f'scale must be an int >= 2, got {scale}')
        if int(guidance_channels) != guidance_channels or guidance_channels < 1:
            raise ValueError(f'guidance_channels must be a positive int, got '
                             f'{guidance_channels}')
        if not 0 < min_valid_fraction <= 1:
            raise ValueError(f'min_valid_fraction must be in (0, 1], got {min_valid_fraction}')
        if consistency not in CONSISTENCY_MODES:
            raise ValueError(f'consistency must be one of {CONSISTENCY_MODES}, got '
                             f'{consistency!r}')
        if band_limit is not None:
            unknown = set(band_limit) - {'factor', 'max_m'}
            if unknown:
                raise ValueError(f'band_limit takes factor and max_m, got {sorted(unknown)}')
            if not band_limit.get('factor', 1.0) > 0:
                raise ValueError(f"band_limit factor must be > 0, got {band_limit['factor']}")
            if band_limit.get('max_m') is not None and not band_limit['max_m'] > 0:
                raise ValueError(f"band_limit max_m must be > 0 or None, got "
                                 f"{band_limit['max_m']}")
        self.scale = int(scale)
        self.guidance_channels = int(guidance_channels)
        self.lr_context = bool(lr_context)
        self.band_limit = None if band_limit is None else dict(
            factor=float(band_limit.get('factor', 1.0)), max_m=band_limit.get('max_m'))
        self.min_valid_fraction = float(min_valid_fraction)
        self.consistency = consistency
        mean, std = Downscaler._read_norm(lst_norm)
        self.register_buffer('lst_mean', torch.tensor(float(mean)))
        self.register_buffer('lst_std', torch.tensor(float(std)))
        self.detail = DetailMLP(self.guidance_channels + int(self.lr_context), hidden, layers)
        fp = {**dict(sigma=0.3, learn=True), **(footprint or {})}
        self.footprint = SensorFootprint(self.scale, **fp)
        self.loss_fn = MODELS.build(loss or dict(type='MaskedMSELoss'))

    @property
    def needs_pixel_size(self) -> bool:
        """True when the fine forward needs the fine pixel size in metres (a band limit)."""
        return self.band_limit is not None

    # ------------------------------------------------------------------ pieces
    def _h(self, guidance: torch.Tensor, lr_up: torch.Tensor) -> torch.Tensor:
        x = guidance
        if self.lr_context:
            x = torch.cat([(lr_up - self.lst_mean) / self.lst_std, guidance], 1)
        return self.detail(x)

    def band_limit_px(self, pixel_size_m: Optional[float]) -> float:
        """σ_out in fine pixels for a fine pixel of ``pixel_size_m`` metres (0: no band
        limit).

        Raises:
            ValueError: a band limit is configured and ``pixel_size_m`` is missing or not a
                positive number.
        """
        if self.band_limit is None:
            return 0.0
        if pixel_size_m is None:
            raise ValueError(
                'GuidedDetailDownscaler with a band limit needs the fine pixel size in metres '
                '(data sample `hr_pixel_size`, set by downscale_scene / downscale_geotiff from '
                'the guidance georeference, which must be in a projected CRS); got none')
        return band_limit_sigma_px(float(self.footprint.sigma.detach()), self.scale,
                                   float(pixel_size_m), **self.band_limit)

    def _check(self, lr, guidance):
        check_lr_guidance(lr, guidance, self.scale, self.guidance_channels,
                          needs_guidance=True, model_name=type(self).__name__)

    # ------------------------------------------------------------------ native level
    def predict_lst(self, lr: torch.Tensor, guidance: torch.Tensor,
                    lr_mask: Optional[torch.Tensor] = None,
                    pixel_size: Union[None, float, Sequence[float]] = None) -> torch.Tensor:
        """Fine LST (B, 1, s·h, s·w) K from LR LST (B, 1, h, w) K and normalised guidance
        (B, K, s·h, s·w).

        ``lr_mask`` (B, 1, h, w) bool: valid LR pixels (invalid ones are refilled from their
        neighbours before U, as in training; used by ``consistency='hard'``); ``pixel_size``:
        fine pixel size in metres, one number or one per sample (needed with a band limit).
        """
        self._check(lr, guidance)
        b = lr.shape[0]
        if lr_mask is not None:
            lr = fill_from_neighbours(lr, lr_mask.bool())
        up = interpolate_lr(lr, self.scale)
        h = self._h(guidance, up)
        low, _ = self.footprint(h)
        sizes = list(pixel_size) if isinstance(pixel_size, (list, tuple)) else [pixel_size] * b
        if len(sizes) != b:
            raise ValueError(f'pixel_size: expected one value or {b}, found {len(sizes)}')
        sig = [self.band_limit_px(px) for px in sizes]
        if len(set(sig)) == 1:
            h_out = gaussian_blur(h, sig[0])
        else:
            h_out = torch.cat([gaussian_blur(h[i:i + 1], sg) for i, sg in enumerate(sig)])
        pred = up + h_out - interpolate_lr(low, self.scale)
        if self.consistency == 'hard':
            pred = project_to_lr(pred, lr, self.scale, lr_mask)
        return pred

    # ------------------------------------------------------------------ coarse level
    def coarse_level(self, lr: torch.Tensor, lr_mask: torch.Tensor, guidance: torch.Tensor):
        """Coarse-level prediction of training (module docstring).

        Args:
            lr: (B, 1, h, w) coarse LST crop in K, h and w multiples of s.
            lr_mask: (B, 1, h, w) bool, its valid pixels.
            guidance: (B, K, s·h, s·w) normalised fine guidance under it.

        Returns:
            ``(pred_c (B, 1, h, w) K, scored (B, 1, h, w) bool)``: scored = valid LR pixel whose
            LR′ pixel is valid.
        """
        self._check(lr, guidance)
        s = self.scale
        if lr.shape[-2] % s or lr.shape[-1] % s:
            raise ValueError(f'coarse-level crops must be multiples of {s} coarse pixels, found '
                             f'{tuple(lr.shape[-2:])}')
        m = lr_mask.bool().to(lr.device)
        mf = m.to(lr.dtype)
        frac = F.avg_pool2d(mf, s)
        lr_p = F.avg_pool2d(torch.where(m, lr, torch.zeros_like(lr)), s) / frac.clamp_min(1e-12)
        ok = frac >= self.min_valid_fraction - 1e-6
        up = interpolate_lr(fill_from_neighbours(lr_p, ok), s)
        scored = m & interpolate_lr(ok, s, 'nearest')
        h = self._h(guidance, interpolate_lr(up, s))
        hc, _ = self.footprint(h)
        pred = up + hc - interpolate_lr(block_mean(hc, s), s)
        return pred, scored

    # ------------------------------------------------------------------ modes
    @staticmethod
    def _stack(data_samples, key, like):
        if not data_samples or not all(key in s for s in data_samples):
            return None
        return torch.stack([getattr(s, key) for s in data_samples]).to(like.device)

    @staticmethod
    def _pixel_sizes(data_samples):
        if not data_samples:
            return None
        sizes = [s.metainfo.get('hr_pixel_size') for s in data_samples]
        return None if any(v is None for v in sizes) else [float(v) for v in sizes]

    def forward(self, inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[LSTDataSample]] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor], list, torch.Tensor]:
        lr, guidance = inputs['lr'], inputs.get('guidance')
        kinds = [s.metainfo.get('sample_kind') for s in data_samples or []]
        coarse = bool(kinds) and all(k == NATIVE_WALD for k in kinds)
        if mode not in ('loss', 'predict', 'tensor'):
            raise ValueError(f"Unknown mode {mode!r}; expected 'loss', 'predict' or 'tensor'")
        if mode == 'loss' and not coarse:
            raise ValueError(f"GuidedDetailDownscaler trains on sample_kind '{NATIVE_WALD}' "
                             f'only (CoarseSceneDataset(native_kind=...), native_fraction=1), '
                             f'found {sorted(set(map(str, kinds)))}')
        lr_mask = self._stack(data_samples, 'lr_mask', lr)
        if coarse and mode != 'tensor':
            if lr_mask is None:
                lr_mask = torch.ones_like(lr, dtype=torch.bool)
            pred, scored = self.coarse_level(lr, lr_mask, guidance)
            gt_mask = self._stack(data_samples, 'gt_mask', lr)
            mask = scored if gt_mask is None else scored & gt_mask.bool()
            if mode == 'loss':
                gt = self._stack(data_samples, 'gt_lst', lr).to(pred)
                return dict(loss=self.loss_fn(pred, gt, mask))
            pred = torch.where(mask, pred, torch.full_like(pred, float('nan')))
        else:
            pred = self.predict_lst(lr, guidance, lr_mask, self._pixel_sizes(data_samples))
            if mode == 'tensor':
                return pred
        for sample, p in zip(data_samples, pred):
            sample.pred_lst = p.detach()
        return data_samples
