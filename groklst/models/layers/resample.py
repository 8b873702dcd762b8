"""LR ↔ HR resampling shared by the wrapper, the generators and the classical sharpeners.

Conventions (pixel-area alignment): an LR pixel covers an s × s block of HR pixels and its
centre sits at the centre of that block, as in Wald's block-average degradation
(Wald, Ranchin & Mangolini, 1997, Photogramm. Eng. Remote Sens. 63:691-699).
"""
from typing import Optional

import torch
import torch.nn.functional as F

__all__ = ['INTERPOLATION_MODES', 'interpolate_lr', 'block_mean', 'project_to_lr',
           'check_lr_guidance']

#: Modes accepted by :func:`interpolate_lr`.
INTERPOLATION_MODES = ('bicubic', 'bilinear', 'nearest')


def interpolate_lr(lr: torch.Tensor, scale: int, mode: str = 'bicubic') -> torch.Tensor:
    """Upsample an LR map (B, C, h, w) by ``scale`` to (B, C, s·h, s·w).

    'bicubic' and 'bilinear' use ``align_corners=False`` (pixel-area alignment); 'nearest'
    repeats every LR value over its s × s block (exact for every dtype, boolean masks included),
    so the HR block averages back to the LR value (``block_mean(interpolate_lr(x, s, 'nearest'),
    s) == x``): the residual redistribution of TsHARP, DisTrad and DMS.

    Raises:
        ValueError: unknown mode; ``scale`` not a positive integer.
    """
    if mode not in INTERPOLATION_MODES:
        raise ValueError(f'Unknown interpolation {mode!r}; expected one of {INTERPOLATION_MODES}')
    if scale != int(scale) or scale < 1:
        raise ValueError(f'The scale factor must be a positive integer, got {scale!r}')
    if mode == 'nearest':
        s = int(scale)
        return lr.repeat_interleave(s, dim=-2).repeat_interleave(s, dim=-1)
    return F.interpolate(lr, scale_factor=scale, mode=mode, align_corners=False)


def block_mean(x: torch.Tensor, scale: int) -> torch.Tensor:
    """Mean of every s × s block: (B, C, s·h, s·w) → (B, C, h, w).

    The aggregation of HR values to the LR grid (Wald's degradation; the LR pixel is the mean
    of the HR pixels it covers). A non-finite HR value makes its block non-finite.

    Raises:
        ValueError: ``x`` not 4-D or its size not a multiple of ``scale``.
    """
    if x.dim() != 4 or x.shape[-2] % scale or x.shape[-1] % scale:
        raise ValueError(f'Expected (B, C, H, W) with H, W multiples of {scale}, '
                         f'got {tuple(x.shape)}')
    return F.avg_pool2d(x, kernel_size=scale, stride=scale)


def project_to_lr(pred: torch.Tensor, lr: torch.Tensor, scale: int,
                  lr_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Aggregation-consistency projection: add the block-mean residual, repeated over its block.

    ``pred + nearest_upsample(lr − block_mean(pred))``, so that ``block_mean(result) == lr``
    exactly on every valid LR pixel (pixels of an invalid LR block are returned unchanged). It
    is the residual redistribution of TsHARP (Agam et al., 2007) and of the Data Mining
    Sharpener (Gao, Kustas & Anderson, 2012, Remote Sens. 4:3287-3319, Sect. 2.3), applied to
    any prediction; parameter-free, differentiable and linear in K.

    Args:
        pred: HR prediction (B, 1, s·h, s·w) in K.
        lr: LR LST (B, 1, h, w) in K.
        scale: scale factor s.
        lr_mask: (B, 1, h, w) bool, True where ``lr`` is valid; None: all valid.

    Returns:
        (B, 1, s·h, s·w) in K.

    Raises:
        ValueError: ``pred`` is not s × the size of ``lr``, or the mask is not of the LR shape.
    """
    want = (lr.shape[-2] * scale, lr.shape[-1] * scale)
    if lr.dim() != 4 or pred.dim() != 4 or tuple(pred.shape[-2:]) != want:
        raise ValueError(f'project_to_lr: expected pred (B, C, {want[0]}, {want[1]}) for LR '
                         f'{tuple(lr.shape)} at scale {scale}, got {tuple(pred.shape)}')
    residual = lr - block_mean(pred, scale)
    if lr_mask is not None:
        if tuple(lr_mask.shape) != tuple(lr.shape):
            raise ValueError(f'project_to_lr: LR mask {tuple(lr_mask.shape)} is not of the LR '
                             f'shape {tuple(lr.shape)}')
        residual = torch.where(lr_mask.bool(), residual, torch.zeros_like(residual))
    return pred + interpolate_lr(residual, scale, 'nearest')


def check_lr_guidance(lr: torch.Tensor, guidance: Optional[torch.Tensor], scale: int,
                      guidance_channels: Optional[int] = None, needs_guidance: bool = True,
                      model_name: str = 'model') -> None:
    """Check LR LST (B, 1, h, w) and HR guidance (B, K, s·h, s·w) before any compute.

    Args:
        lr: LR LST, (B, 1, h, w).
        guidance: HR guidance, (B, K, s·h, s·w), or None.
        scale: scale factor s.
        guidance_channels: expected K (None: any).
        needs_guidance: raise when ``guidance`` is None.
        model_name: named in the error messages.

    Raises:
        ValueError: LR not (B, 1, h, w); guidance missing when needed, of another band count
            than ``guidance_channels``, another batch size, or not s × the LR size.
    """
    if lr.dim() != 4 or lr.shape[1] != 1:
        raise ValueError(f'LR LST must be (B, 1, h, w), got {tuple(lr.shape)}')
    if guidance is None:
        if needs_guidance:
            raise ValueError(f'{model_name} needs HR guidance, got none')
        return
    if guidance.dim() != 4 or guidance.shape[0] != lr.shape[0]:
        raise ValueError(f'Guidance must be (B, K, H, W) with B = {lr.shape[0]} as the LR, got '
                         f'{tuple(guidance.shape)}')
    if guidance_channels is not None and guidance.shape[1] != guidance_channels:
        raise ValueError(f'Guidance has {guidance.shape[1]} bands but {model_name} expects '
                         f'{guidance_channels}')
    want = (lr.shape[-2] * scale, lr.shape[-1] * scale)
    if tuple(guidance.shape[-2:]) != want:
        raise ValueError(f'Guidance is {tuple(guidance.shape[-2:])} but LR is '
                         f'{tuple(lr.shape[-2:])}: expected {want} at scale {scale}')
