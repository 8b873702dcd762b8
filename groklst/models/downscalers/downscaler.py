"""The one downscaling wrapper: normalization, generator, interpolated-LR residual, optional
aggregation-consistency projection, masked losses of the two sample kinds, modes."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import (INTERPOLATION_MODES, check_lr_guidance,
                                            interpolate_lr, project_to_lr)
from groklst.registry import MODELS
from groklst.structures import LSTDataSample

#: Kinds of training samples (metainfo ``sample_kind``) and the loss each one gets.
#: 'reconstruction': the reference ``gt_lst`` is on the output grid (s × the input): supervised
#: tiles, and Wald's-protocol samples of coarse scenes (target = the coarse LST, input = its
#: degradation); pixel loss ``loss``. 'consistency': native-scale samples of coarse scenes, the
#: reference is the input LR itself (1 × the input): ``consistency_loss`` on the prediction
#: aggregated back onto the LR grid. Samples without ``sample_kind`` are 'reconstruction'.
SAMPLE_KINDS = ('reconstruction', 'consistency')
#: Values of ``Downscaler(consistency=...)``.
CONSISTENCY_MODES = (None, 'hard')


@MODELS.register_module()
class Downscaler(BaseModel):
    """LST downscaling model: wraps any generator (SISR or guided) behind one interface.

    Forward pass (Kelvin outside, normalized inside)::

        z = (lr − μ) / σ                         # μ, σ: LST statistics of the training split
        ẑ = interp(z, s) + generator(z[, guidance])   (residual = interp mode)
        ẑ = generator(z[, guidance])                   (residual = None)
        pred = ẑ · σ + μ                         # K, shape (B, 1, s·h, s·w)
        pred += nearest(lr − block_mean(pred))   (consistency = 'hard', on valid LR pixels)

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
        loss: pixel loss config (masked), computed in K on valid reference pixels of
            'reconstruction' samples; its ``loss_weight`` weighs it.
        consistency: None, or 'hard': the parameter-free projection
            :func:`groklst.models.layers.resample.project_to_lr` after the generator, so that
            the output block-averages exactly to the LR input on valid LR pixels (the residual
            redistribution of TsHARP / DMS, Gao et al. 2012), in training and inference alike.
            The LR validity mask comes from the data samples' ``lr_mask`` (all valid without).
        consistency_loss: config of the loss of 'consistency' samples (native-scale crops of
            coarse scenes), e.g. ``dict(type='AggregationConsistencyLoss', loss_weight=0.5)``;
            None: such samples are an error.
        data_preprocessor: defaults to ``LSTDataPreprocessor``.

    Modes: 'loss' → ``{'loss': scalar}`` (the pixel loss), or with ``consistency_loss``
    ``{'loss_reconstruction', 'loss_consistency'}`` (MMEngine sums them into ``loss``; a term
    is an exact zero with gradient when the batch has no sample of its kind); 'predict' →
    data samples with ``pred_lst`` (1, H, W) K; 'tensor' → (B, 1, H, W) K. Which loss a sample
    gets comes from its metainfo ``sample_kind`` (:data:`SAMPLE_KINDS`).

    Raises:
        ValueError: guidance missing for a guided generator, guidance band count differs from the
            generator's ``guidance_channels``, guidance size ≠ s × LR size, an unknown mode,
            consistency mode or sample kind, or 'consistency' samples without
            ``consistency_loss``.
    """

    #: Buffers set from the config (``lst_norm``) that a checkpoint may lack (GrokLST checkpoints
    #: hold generator weights only): loading keeps the config values for them.
    config_buffers = ('lst_mean', 'lst_std')

    def __init__(self, scale: int, generator: Optional[dict] = None,
                 residual: Optional[str] = 'bicubic',
                 lst_norm: Optional[dict] = None,
                 loss: Optional[dict] = None,
                 consistency: Optional[str] = None,
                 consistency_loss: Optional[dict] = None,
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
        if consistency not in CONSISTENCY_MODES:
            raise ValueError(f'consistency must be one of {CONSISTENCY_MODES}, got '
                             f'{consistency!r}')
        self.consistency = consistency
        self.consistency_loss = MODELS.build(consistency_loss) if consistency_loss else None

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

    def predict_lst(self, lr: torch.Tensor, guidance: Optional[torch.Tensor] = None,
                    lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """HR LST (B, 1, s·h, s·w) in K from LR LST (B, 1, h, w) in K and guidance (B, K, H, W);
        ``lr_mask`` (B, 1, h, w) bool marks the valid LR pixels for ``consistency='hard'``
        (None: all valid)."""
        self._check_inputs(lr, guidance)
        z = (lr - self.lst_mean) / self.lst_std
        g_out = None
        if self.generator is not None:  # first: a BaseGenerator checks the inputs before compute
            g_out = self.generator(z, guidance) if self.uses_guidance else self.generator(z)
        out = interpolate_lr(z, self.scale, self.residual) if self.residual else 0.0
        if g_out is not None:
            out = out + g_out
        pred = out * self.lst_std + self.lst_mean
        if self.consistency == 'hard':
            pred = project_to_lr(pred, lr, self.scale, lr_mask)
        return pred

    @staticmethod
    def _lr_mask(data_samples, lr: torch.Tensor) -> Optional[torch.Tensor]:
        if not data_samples or not all('lr_mask' in s for s in data_samples):
            return None
        return torch.stack([s.lr_mask for s in data_samples]).to(lr.device).bool()

    def _loss(self, pred: torch.Tensor, data_samples) -> Dict[str, torch.Tensor]:
        """Loss terms of a batch that may mix the two :data:`SAMPLE_KINDS`."""
        kinds = [s.metainfo.get('sample_kind', 'reconstruction') for s in data_samples]
        unknown = sorted(set(kinds) - set(SAMPLE_KINDS))
        if unknown:
            raise ValueError(f'unknown sample_kind {unknown}; expected one of {SAMPLE_KINDS}')
        if 'consistency' in kinds and self.consistency_loss is None:
            raise ValueError("the batch holds native-scale 'consistency' samples but the "
                             'Downscaler has no consistency_loss: set e.g. consistency_loss='
                             "dict(type='AggregationConsistencyLoss') or the dataset's "
                             'native_fraction=0')
        zero = pred.sum() * 0.0  # keeps every parameter in the graph (DDP) for an empty kind

        def term(kind, fn):
            idx = [i for i, k in enumerate(kinds) if k == kind]
            if not idx:
                return zero
            gt = torch.stack([data_samples[i].gt_lst for i in idx]).to(pred)
            mask = torch.stack([data_samples[i].gt_mask for i in idx]).to(pred.device)
            return fn(pred[idx], gt, mask)

        pixel = term('reconstruction', self.loss_fn)
        if self.consistency_loss is None:
            return dict(loss=pixel)
        return dict(loss_reconstruction=pixel,
                    loss_consistency=term('consistency', self.consistency_loss))

    def forward(self, inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[LSTDataSample]] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor], list, torch.Tensor]:
        lr = inputs['lr']
        pred = self.predict_lst(lr, inputs.get('guidance'), self._lr_mask(data_samples, lr))
        if mode == 'tensor':
            return pred
        if mode == 'loss':
            return self._loss(pred, data_samples)
        if mode == 'predict':
            for sample, p in zip(data_samples, pred):
                sample.pred_lst = p.detach()
            return data_samples
        raise ValueError(f"Unknown mode {mode!r}; expected 'loss', 'predict' or 'tensor'")
