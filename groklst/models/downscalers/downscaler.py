"""The one downscaling wrapper: normalization, generator, interpolated-LR residual, loss, modes."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import INTERPOLATION_MODES, check_lr_guidance, interpolate_lr
from groklst.registry import MODELS
from groklst.structures import LSTDataSample


@MODELS.register_module()
class Downscaler(BaseModel):
    """LST downscaling model: wraps any generator (SISR or guided) behind one interface.

    Forward pass (Kelvin outside, normalized inside)::

        z = (lr − μ) / σ                         # μ, σ: LST statistics of the training split
        ẑ = interp(z, s) + generator(z[, guidance])   (residual = interp mode)
        ẑ = generator(z[, guidance])                   (residual = None)
        pred = ẑ · σ + μ                         # K, shape (B, 1, s·h, s·w)

    With ``generator=None`` the model is the pure interpolation baseline (bicubic, bilinear),
    needing no checkpoint. μ and σ are buffers, so checkpoints carry them.

    Args:
        scale: scale factor s.
        generator: config of a generator (``forward(lr)`` or ``forward(lr, guidance)``, selected
            by its ``uses_guidance`` attribute), or None.
        residual: 'bicubic' (default), 'bilinear', 'nearest' or None (generator predicts the
            full field).
        lst_norm: ``dict(stats_file=..., key='lst')`` (JSON written by the dataset tools) or
            ``dict(mean=..., std=...)`` in K.
        loss: pixel loss config (masked), computed in K on valid reference pixels.
        data_preprocessor: defaults to ``LSTDataPreprocessor``.

    Modes: 'loss' → ``{'loss': scalar}``; 'predict' → data samples with ``pred_lst`` (1, H, W) K;
    'tensor' → (B, 1, H, W) K.

    Raises:
        ValueError: guidance missing for a guided generator, guidance band count differs from the
            generator's ``guidance_channels``, guidance size ≠ s × LR size, or an unknown mode.
    """

    #: Buffers set from the config (``lst_norm``) that a checkpoint may lack (GrokLST checkpoints
    #: hold generator weights only): loading keeps the config values for them.
    config_buffers = ('lst_mean', 'lst_std')

    def __init__(self, scale: int, generator: Optional[dict] = None,
                 residual: Optional[str] = 'bicubic',
                 lst_norm: Optional[dict] = None,
                 loss: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='LSTDataPreprocessor')
        if isinstance(data_preprocessor, dict):  # build in groklst's scope, whatever the caller's
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.scale = int(scale)
        if residual is not None and residual not in INTERPOLATION_MODES:
            raise ValueError(f'residual must be one of {INTERPOLATION_MODES} or None, '
                             f'got {residual!r}')
        if generator is None and residual is None:
            raise ValueError('A Downscaler without generator needs an interpolation residual')
        self.residual = residual
        if generator is not None:
            generator = dict(generator)
            generator.setdefault('scale', self.scale)
            if int(generator['scale']) != self.scale:
                raise ValueError(f"generator scale {generator['scale']} != model scale {scale}")
        self.generator = MODELS.build(generator) if generator is not None else None
        mean, std = self._read_norm(lst_norm)
        self.register_buffer('lst_mean', torch.tensor(float(mean)))
        self.register_buffer('lst_std', torch.tensor(float(std)))
        self.loss_fn = MODELS.build(loss or dict(type='MaskedL1Loss'))

    @staticmethod
    def _read_norm(cfg: Optional[dict]):
        if cfg is None:
            return 0.0, 1.0
        if 'stats_file' in cfg:
            from groklst.datasets.stats import load_stats
            stats = load_stats(cfg['stats_file'])[cfg.get('key', 'lst')]
            mean, std = stats['mean'], stats['std']
        else:
            mean, std = cfg['mean'], cfg['std']
        if not std > 0:
            raise ValueError(f'LST normalization std must be > 0, got {std}')
        return mean, std

    @property
    def uses_guidance(self) -> bool:
        return bool(getattr(self.generator, 'uses_guidance', False))

    def _check_inputs(self, lr: torch.Tensor, guidance: Optional[torch.Tensor]) -> None:
        """Check LR (and guidance) when no generator does: a :class:`BaseGenerator` checks its
        inputs itself (forward pre-hook), so they are checked once per forward either way."""
        if isinstance(self.generator, BaseGenerator):
            return
        check_lr_guidance(lr, guidance if self.uses_guidance else None, self.scale,
                          getattr(self.generator, 'guidance_channels', None),
                          needs_guidance=self.uses_guidance,
                          model_name=type(self.generator).__name__)

    def predict_lst(self, lr: torch.Tensor, guidance: Optional[torch.Tensor] = None
                    ) -> torch.Tensor:
        """HR LST (B, 1, s·h, s·w) in K from LR LST (B, 1, h, w) in K and guidance (B, K, H, W)."""
        self._check_inputs(lr, guidance)
        z = (lr - self.lst_mean) / self.lst_std
        g_out = None
        if self.generator is not None:  # first: a BaseGenerator checks the inputs before compute
            g_out = self.generator(z, guidance) if self.uses_guidance else self.generator(z)
        out = interpolate_lr(z, self.scale, self.residual) if self.residual else 0.0
        if g_out is not None:
            out = out + g_out
        return out * self.lst_std + self.lst_mean

    def forward(self, inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[LSTDataSample]] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor], list, torch.Tensor]:
        pred = self.predict_lst(inputs['lr'], inputs.get('guidance'))
        if mode == 'tensor':
            return pred
        if mode == 'loss':
            gt = torch.stack([s.gt_lst for s in data_samples]).to(pred)
            mask = torch.stack([s.gt_mask for s in data_samples]).to(pred.device)
            return dict(loss=self.loss_fn(pred, gt, mask))
        if mode == 'predict':
            for sample, p in zip(data_samples, pred):
                sample.pred_lst = p.detach()
            return data_samples
        raise ValueError(f"Unknown mode {mode!r}; expected 'loss', 'predict' or 'tensor'")
