"""Base class of per-scene (classical) sharpeners: fitted on each input at predict time.

Classical thermal sharpeners (TsHARP, DisTrad, the Data Mining Sharpener) and per-image fits such
as the unsupervised PixTransform have no weights learned from a training split: they fit their
regression on the scene (tile) they sharpen. They share the ``Downscaler``'s data interface and
modes so that ``tools/test.py`` scores them like any model, without a checkpoint.

Scene-level fit: a sharpener whose regression is global to a scene (TsHARP's and DisTrad's
regression, DMS's global model) can be fitted once on a scene and applied tile by tile
(:func:`groklst.apis.downscale_scene` does so): :meth:`PerSceneSharpener.scene_fit_bands` names
the guidance bands the fit reads, :meth:`PerSceneSharpener.fit_scene` fits on LR pixels and
their s × s guidance blocks (the whole scene or a bounded random sample of it), and inside
``with model.scene_fit(state):`` every forward pass uses that fit instead of fitting its input.
"""
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel

from groklst.models.layers.resample import check_lr_guidance, project_to_lr
from groklst.registry import MODELS
from groklst.structures import LSTDataSample


class PerSceneSharpener(BaseModel):
    """Interface of models fitted on every input at predict time (no training split, no weights).

    Subclasses implement :meth:`sharpen`. Inputs come from the usual pipeline and data
    preprocessor: ``inputs['lr']`` (B, 1, h, w) LR LST in K (invalid pixels filled by the
    loader), ``inputs['guidance']`` (B, K, s·h, s·w) as the pipeline leaves it (configs of
    sharpeners that need physical band values, e.g. NDVI for fractional cover, leave
    ``NormalizeGuidance`` out). The LR validity mask of each sample (``lr_mask``) is handed to
    :meth:`sharpen` so the fit uses valid coarse pixels only.

    Modes: 'tensor' → (B, 1, s·h, s·w) K; 'predict' → data samples with ``pred_lst`` (1, H, W)
    K; 'loss' raises (there is nothing to train).

    Args:
        scale: scale factor s.
        guidance_channels: expected K, or None to accept any band count.
        consistency: None, or 'hard': after :meth:`sharpen`, the aggregation-consistency
            projection :func:`groklst.models.layers.resample.project_to_lr` on the valid LR
            pixels (a no-op up to rounding for sharpeners whose own residual redistribution is
            'nearest'; it makes e.g. ``residual='bicubic'`` or PixTransform aggregate exactly).
        data_preprocessor: defaults to ``LSTDataPreprocessor``.

    Raises:
        ValueError: input shapes as in :func:`check_lr_guidance`; an unknown mode or
            consistency mode.
        RuntimeError: mode 'loss' (per-scene models are not trained by ``tools/train.py``).
    """

    uses_guidance = True
    _scene_state: Any = None

    def __init__(self, scale: int, guidance_channels: Optional[int] = None,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 consistency: Optional[str] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='LSTDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.scale = int(scale)
        self.guidance_channels = guidance_channels
        if consistency not in (None, 'hard'):
            raise ValueError(f"consistency must be None or 'hard', got {consistency!r}")
        self.consistency = consistency

    def sharpen(self, lr: torch.Tensor, guidance: Optional[torch.Tensor],
                lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """HR LST (B, 1, s·h, s·w) in K from LR LST (B, 1, h, w) in K, guidance (B, K, s·h, s·w)
        and the LR validity mask (B, 1, h, w) bool (None: all valid)."""
        raise NotImplementedError

    def scene_fit_bands(self, num_bands: int,
                        band_names: Optional[Sequence[str]] = None) -> Optional[List[int]]:
        """Guidance channels (0-based, in the order :meth:`fit_scene` expects them) that the
        scene-level fit reads, or None when the sharpener has no scene-level fit and fits every
        input on its own (the default; e.g. PixTransform's per-image network).

        Args:
            num_bands: K, the guidance band count of the scene.
            band_names: the scene's band names in channel order, when known.
        """
        return None

    def fit_scene(self, lr: torch.Tensor, guidance: torch.Tensor,
                  lr_mask: Optional[torch.Tensor] = None) -> Any:
        """Fit the scene-level model on LR pixels and their guidance blocks.

        Args:
            lr: (1, 1, h, w) LR LST in K; a sample of n LR pixels is laid out as (1, 1, 1, n).
            guidance: (1, F, s·h, s·w) the channels of :meth:`scene_fit_bands`, physical units
                (a sample as (1, F, s, s·n): the s × s block of LR pixel i at columns
                [i·s, (i + 1)·s)).
            lr_mask: (1, 1, h, w) bool validity of the LR pixels, or None (all valid).

        Returns:
            An opaque fitted state for :meth:`scene_fit`.

        Raises:
            NotImplementedError: the sharpener has no scene-level fit.
        """
        raise NotImplementedError(f'{type(self).__name__} has no scene-level fit')

    @contextmanager
    def scene_fit(self, state: Any) -> Iterator['PerSceneSharpener']:
        """Inside the ``with`` block, forward passes use the scene-level ``state`` (from
        :meth:`fit_scene`; None: fit every input on its own)."""
        previous = self._scene_state
        self._scene_state = state
        try:
            yield self
        finally:
            self._scene_state = previous

    def forward(self, inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[LSTDataSample]] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, list]:
        if mode == 'loss':
            raise RuntimeError(f'{type(self).__name__} is fitted on each scene at test time; '
                               'there is nothing to train: run tools/test.py without a checkpoint')
        if mode not in ('tensor', 'predict'):
            raise ValueError(f"Unknown mode {mode!r}; expected 'predict' or 'tensor'")
        lr, guidance = inputs['lr'], inputs.get('guidance')
        check_lr_guidance(lr, guidance, self.scale, self.guidance_channels,
                          needs_guidance=self.uses_guidance, model_name=type(self).__name__)
        lr_mask = None
        if data_samples is not None and all('lr_mask' in s for s in data_samples):
            lr_mask = torch.stack([s.lr_mask for s in data_samples]).to(lr.device).bool()
        with torch.no_grad() if not torch.is_grad_enabled() else torch.enable_grad():
            pred = self.sharpen(lr, guidance, lr_mask)
            if self.consistency == 'hard':
                valid = torch.isfinite(lr) if lr_mask is None else lr_mask & torch.isfinite(lr)
                pred = project_to_lr(pred, lr, self.scale, valid)
        if mode == 'tensor':
            return pred
        for sample, p in zip(data_samples, pred):
            sample.pred_lst = p.detach()
        return data_samples
