"""PixTransform fitted on each scene (the original, unsupervised form of de Lutio et al.,
"Guided Super-Resolution as Pixel-to-Pixel Transformation", ICCV 2019)."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from groklst.models.backbones.gisr.pixtransform import (PIXTRANSFORM_WEIGHT_DECAY,
                                                        PixTransformMLP)
from groklst.models.classic.base import PerSceneSharpener
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS

#: Number of Adam steps of the paper (1024 x 32, batches of 32 LR pixels).
PAPER_NUM_STEPS = 32768


def _standardise(x: torch.Tensor, dims, valid: Optional[torch.Tensor] = None
                 ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x - mean) / std over ``dims`` (on ``valid`` entries when given); std 0 -> 1."""
    if valid is None:
        mean, std = x.mean(dim=dims, keepdim=True), x.std(dim=dims, keepdim=True)
    else:
        vals = x[valid]
        mean, std = vals.mean(), vals.std() if vals.numel() > 1 else torch.ones(())
    std = torch.where(std > 0, std, torch.ones_like(std))
    return (x - mean) / std, mean, std


def pixel_coordinates(height: int, width: int, device=None) -> torch.Tensor:
    """Pixel-centre coordinates (2, H, W) scaled to [-1, 1] (row, column)."""
    rows = (torch.arange(height, device=device, dtype=torch.float32) + 0.5) / height * 2 - 1
    cols = (torch.arange(width, device=device, dtype=torch.float32) + 0.5) / width * 2 - 1
    return torch.stack(torch.meshgrid(rows, cols, indexing='ij'))


def lr_consistency_l1(pred_hr: torch.Tensor, lr: torch.Tensor, scale: int,
                      lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Mean |avgpool_s(pred_hr) - lr| over valid LR pixels (the PixTransform data term).

    Args:
        pred_hr: HR field (B, 1, s*h, s*w), K.
        lr: LR field (B, 1, h, w), K.
        scale: scale factor s.
        lr_mask: valid LR pixels (B, 1, h, w) bool, or None (all valid).

    Returns:
        Scalar tensor in K.
    """
    err = (F.avg_pool2d(pred_hr, scale) - lr).abs()
    return err.mean() if lr_mask is None else err[lr_mask].mean()


@MODELS.register_module()
class PixTransformFit(PerSceneSharpener):
    """Per-scene PixTransform: a pixel-wise MLP fitted on every input at test time.

    de Lutio, D'Aronco, Wegner and Schindler, "Guided Super-Resolution as Pixel-to-Pixel
    Transformation", ICCV 2019.

    For every scene (tile) a fresh :class:`~groklst.models.backbones.gisr.pixtransform.
    PixTransformMLP` maps the HR guidance (guide branch) and the pixel coordinates (spatial
    branch) to HR LST. It is fitted with Adam so that its output, averaged over every s x s
    block, matches the LR LST on the valid LR pixels (L1 or squared error), each step on a
    random batch of ``batch_size`` LR pixels (their s x s HR blocks), with the paper's weight
    decay per branch. Inputs are standardised per scene (LR LST over its valid pixels, each
    guidance band over the tile) and the output is converted back to K. No training split and
    no weights: ``tools/test.py`` runs it without a checkpoint.

    The paper runs 32768 steps (:data:`PAPER_NUM_STEPS`, lr 1e-3, batch 32) with a wide layer
    of 2048; the defaults here (300 steps, width 256) keep a 128 x 128 demo tile at a few
    seconds on a 2-core CPU. Pass ``num_steps=PAPER_NUM_STEPS, width=2048`` for the paper's
    fit (minutes per tile on a CPU). At the defaults the fit is under-trained: on 4 of the 8
    Landsat-8 demo test tiles (x4) it scored RMSE 2.38 K against 1.19 K for bicubic.

    Deviations: the K guidance bands replace the RGB guide; coordinates are scaled to
    [-1, 1]. A sample without a valid LR pixel is returned as the bicubic interpolation of its
    (filled) LR input.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: expected K, or None for any.
        num_steps: Adam steps per scene (>= 0; 0 returns the untrained network's output;
            paper: 32768, default 300).
        batch_size: LR pixels per step (paper: 32); capped at the number of valid LR pixels.
        lr: Adam learning rate (paper: 1e-3).
        hidden: narrow MLP width (paper: 32).
        width: wide MLP width (paper: 2048; default 256).
        weight_decay: (spatial, guide, head) decay factors.
        loss: 'l1' (the authors' default) or 'mse'.
        use_coordinates: feed pixel coordinates to the spatial branch (paper: True); False
            feeds zeros, leaving a pure guidance-to-LST mapping.
        seed: seed of the per-scene initialisation and batch sampling (results do not depend
            on the global random state, which is left untouched).
        data_preprocessor: defaults to ``LSTDataPreprocessor``.
        consistency: None or 'hard', as :class:`PerSceneSharpener`.

    Shapes:
        :meth:`sharpen`: lr (B, 1, h, w) K, guidance (B, K, s*h, s*w), lr_mask (B, 1, h, w)
        -> (B, 1, s*h, s*w) K.

    Raises:
        ValueError: unsupported scale, negative ``num_steps``, ``batch_size`` < 1 or an unknown
            ``loss`` at construction; input shapes as in ``check_lr_guidance``.
    """

    model_kind = 'classic'
    supported_scales = (2, 4, 8)
    paper = ('de Lutio et al., "Guided Super-Resolution as Pixel-to-Pixel Transformation", '
             'ICCV 2019')

    def __init__(self, scale: int, guidance_channels: Optional[int] = None,
                 num_steps: int = 300, batch_size: int = 32, lr: float = 1e-3,
                 hidden: int = 32, width: int = 256,
                 weight_decay: Sequence[float] = PIXTRANSFORM_WEIGHT_DECAY, loss: str = 'l1',
                 use_coordinates: bool = True, seed: int = 0,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None,
                 consistency: Optional[str] = None):
        super().__init__(scale, guidance_channels, data_preprocessor, init_cfg, consistency)
        if scale not in self.supported_scales:
            raise ValueError(f'PixTransformFit supports scales {self.supported_scales}, '
                             f'found {scale}')
        if num_steps < 0 or batch_size < 1:
            raise ValueError(f'PixTransformFit needs num_steps >= 0 and batch_size >= 1, '
                             f'found {num_steps} and {batch_size}')
        if loss not in ('l1', 'mse'):
            raise ValueError(f"PixTransformFit loss must be 'l1' or 'mse', found {loss!r}")
        self.num_steps = num_steps
        self.batch_size = batch_size
        self.lr = lr
        self.hidden = hidden
        self.width = width
        self.weight_decay = tuple(weight_decay)
        self.loss = loss
        self.use_coordinates = use_coordinates
        self.seed = seed

    def fit_scene(self, lr: torch.Tensor, guidance: torch.Tensor,
                  lr_mask: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, List[float]]:
        """Fit one scene and predict it.

        Args:
            lr: LR LST (1, h, w), K.
            guidance: HR guidance (K, s*h, s*w).
            lr_mask: valid LR pixels (1, h, w) bool, or None.

        Returns:
            (HR LST (1, s*h, s*w) in K, per-step training losses in standardised units).
        """
        s = self.scale
        _, h, w = lr.shape
        valid = torch.isfinite(lr[0])
        if lr_mask is not None:
            valid &= lr_mask[0].bool()
        if not valid.any():
            return interpolate_lr(lr[None], s, 'bicubic')[0], []
        target, mean, std = _standardise(lr[0], None, valid)
        guide, _, _ = _standardise(guidance, (-2, -1))
        big_h, big_w = guidance.shape[-2:]
        spatial = pixel_coordinates(big_h, big_w, guidance.device)
        if not self.use_coordinates:
            spatial = torch.zeros_like(spatial)
        feats = torch.cat([guide, spatial], dim=0)  # (C, H, W)
        c = feats.shape[0]
        # (C, h, s, w, s) -> (h*w, s*s, C): the HR block behind every LR pixel
        blocks = feats.reshape(c, h, s, w, s).permute(1, 3, 2, 4, 0).reshape(h * w, s * s, c)
        idx_valid = valid.flatten().nonzero().squeeze(1)
        y = target.flatten()
        n_k = guide.shape[0]
        losses: List[float] = []
        with torch.random.fork_rng(devices=[]), torch.enable_grad():
            torch.manual_seed(self.seed)
            mlp = PixTransformMLP(n_k, 2, self.hidden, self.width).to(lr.device)
            opt = torch.optim.Adam(mlp.param_groups(self.weight_decay), lr=self.lr)
            batch = min(self.batch_size, idx_valid.numel())
            for _ in range(self.num_steps):
                # drawn on the CPU (the forked, seeded generator): the same picks on every
                # device, and the CUDA generator of the caller is left alone
                pick = idx_valid[torch.randperm(idx_valid.numel())[:batch].to(lr.device)]
                x = blocks[pick].reshape(batch * s * s, c)
                out = mlp.forward_pixels(x[:, :n_k], x[:, n_k:]).reshape(batch, s * s).mean(1)
                diff = out - y[pick]
                loss = diff.abs().mean() if self.loss == 'l1' else diff.square().mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(float(loss.detach()))
            with torch.no_grad():
                flat = feats.reshape(c, -1).t()
                pred = mlp.forward_pixels(flat[:, :n_k], flat[:, n_k:]).reshape(1, big_h, big_w)
        return pred * std + mean, losses

    def sharpen(self, lr: torch.Tensor, guidance: Optional[torch.Tensor],
                lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """HR LST (B, 1, s*h, s*w) in K, each sample fitted on its own (see class docstring)."""
        preds = [
            self.fit_scene(lr[b], guidance[b], None if lr_mask is None else lr_mask[b])[0]
            for b in range(lr.shape[0])
        ]
        return torch.stack(preds)
