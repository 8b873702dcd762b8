"""Window (local) multi-head self-attention and its tensor helpers.

Local attention splits a feature map into non-overlapping windows and attends inside each one
(Liu et al., "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", ICCV 2021),
optionally with a cyclic shift and a mask so that alternate blocks connect neighbouring windows,
and with a learnable bias indexed by the relative offset of the two tokens. The same helpers serve
the strided "grid" attention of MaxViT-style blocks (Tu et al., ECCV 2022) used by OmniSR.

Layouts: maps are channels-last (B, H, W, C) unless a function says otherwise; window tokens
are (B * nW, N, C) with ``N = wh * ww``.
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model.weight_init import trunc_normal_
from mmengine.utils import to_2tuple

Size2 = Union[int, Sequence[int]]


def _window_hw(window_size: Size2) -> Tuple[int, int]:
    wh, ww = (int(v) for v in to_2tuple(window_size))
    if wh < 1 or ww < 1:
        raise ValueError(f'window size must be positive, found {(wh, ww)}')
    return wh, ww


def _check_divisible(h: int, w: int, wh: int, ww: int, what: str) -> None:
    if h % wh or w % ww:
        raise ValueError(f'{what}: map {h}x{w} is not divisible by window {wh}x{ww}; '
                         'pad it first (see pad_to_multiple)')


def window_partition(x: torch.Tensor, window_size: Size2) -> torch.Tensor:
    """Cut a channels-last map into non-overlapping windows.

    Args:
        x: (B, H, W, C) with H, W multiples of the window size.
        window_size: int or (wh, ww).

    Returns:
        (B * nW, wh, ww, C), windows in row-major order per image (nW = H/wh * W/ww).

    Raises:
        ValueError: if the map is not divisible by the window.
    """
    wh, ww = _window_hw(window_size)
    b, h, w, c = x.shape
    _check_divisible(h, w, wh, ww, 'window_partition')
    x = x.view(b, h // wh, wh, w // ww, ww, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, wh, ww, c)


def window_reverse(windows: torch.Tensor, window_size: Size2, h: int, w: int) -> torch.Tensor:
    """Inverse of :func:`window_partition`: (B * nW, wh, ww, C) -> (B, H, W, C).

    Raises:
        ValueError: if (H, W) is not divisible by the window or the window count does not
            match.
    """
    wh, ww = _window_hw(window_size)
    _check_divisible(h, w, wh, ww, 'window_reverse')
    n_win = (h // wh) * (w // ww)
    if windows.shape[0] % n_win:
        raise ValueError(f'{windows.shape[0]} windows cannot tile a {h}x{w} map with '
                         f'{wh}x{ww} windows')
    b = windows.shape[0] // n_win
    x = windows.reshape(b, h // wh, w // ww, wh, ww, -1).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, w, -1)


def grid_partition(x: torch.Tensor, grid_size: Size2) -> torch.Tensor:
    """Group pixels on a strided (dilated) grid: pixel (i, j) joins group
    (i mod H/gh, j mod W/gw), so every group spans the whole map with stride (H/gh, W/gw).

    Args:
        x: (B, H, W, C) with H, W multiples of the grid size.
        grid_size: int or (gh, gw), the number of samples per group along each axis.

    Returns:
        (B * nG, gh, gw, C), nG = H/gh * W/gw.

    Raises:
        ValueError: if the map is not divisible by the grid.
    """
    gh, gw = _window_hw(grid_size)
    b, h, w, c = x.shape
    _check_divisible(h, w, gh, gw, 'grid_partition')
    x = x.view(b, gh, h // gh, gw, w // gw, c).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(-1, gh, gw, c)


def grid_reverse(groups: torch.Tensor, grid_size: Size2, h: int, w: int) -> torch.Tensor:
    """Inverse of :func:`grid_partition`: (B * nG, gh, gw, C) -> (B, H, W, C).

    Raises:
        ValueError: if (H, W) is not divisible by the grid or the group count does not match.
    """
    gh, gw = _window_hw(grid_size)
    _check_divisible(h, w, gh, gw, 'grid_reverse')
    n_grp = (h // gh) * (w // gw)
    if groups.shape[0] % n_grp:
        raise ValueError(f'{groups.shape[0]} groups cannot tile a {h}x{w} map with a '
                         f'{gh}x{gw} grid')
    b = groups.shape[0] // n_grp
    x = groups.reshape(b, h // gh, w // gw, gh, gw, -1).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(b, h, w, -1)


def pad_to_multiple(x: torch.Tensor, multiple: Size2, mode: str = 'reflect',
                    min_size: Size2 = 1) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """Pad a (B, C, H, W) map at the bottom/right so that H, W are multiples of ``multiple``
    (and at least ``min_size``); crop back with ``y[..., :h, :w]`` (times the scale for SR).

    Args:
        x: (B, C, H, W).
        multiple: int or (mh, mw).
        mode: 'reflect', 'replicate' or 'constant' (zeros). 'reflect' needs the pad to be
            smaller than the map; larger pads fall back to 'replicate'.
        min_size: smallest padded size, int or (h, w); it is rounded up to the multiple.

    Returns:
        The padded map and the original (H, W).

    Raises:
        ValueError: for an unknown mode.
    """
    if mode not in ('reflect', 'replicate', 'constant'):
        raise ValueError(f"mode must be 'reflect', 'replicate' or 'constant', found {mode!r}")
    mh, mw = _window_hw(multiple)
    min_h, min_w = (int(v) for v in to_2tuple(min_size))
    h, w = x.shape[-2:]
    tgt_h = max(math.ceil(h / mh), math.ceil(min_h / mh)) * mh
    tgt_w = max(math.ceil(w / mw), math.ceil(min_w / mw)) * mw
    pad_h, pad_w = tgt_h - h, tgt_w - w
    if pad_h == 0 and pad_w == 0:
        return x, (h, w)
    if mode == 'reflect' and (pad_h >= h or pad_w >= w):
        mode = 'replicate'
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode), (h, w)


def relative_position_index(window_size: Size2) -> torch.Tensor:
    """Index into a ((2wh-1) * (2ww-1))-row bias table for every pair of tokens of a window.

    Returns:
        Long tensor (N, N), N = wh * ww; entry (i, j) encodes the offset of token i from j.
    """
    wh, ww = _window_hw(window_size)
    coords = torch.stack(torch.meshgrid(torch.arange(wh), torch.arange(ww), indexing='ij'))
    coords = coords.flatten(1)  # 2, N
    offset = coords[:, :, None] - coords[:, None, :]  # 2, N, N
    dy = offset[0] + (wh - 1)
    dx = offset[1] + (ww - 1)
    return dy * (2 * ww - 1) + dx


def shifted_window_mask(h: int, w: int, window_size: Size2, shift_size: Size2,
                        device: Optional[torch.device] = None) -> torch.Tensor:
    """Additive attention mask of shifted-window attention (Liu et al., ICCV 2021).

    After a cyclic shift by ``-shift_size`` a window may hold pixels from up to four regions
    that were not adjacent in the image; pairs from different regions get ``-100`` (≈ zero
    weight after the softmax), pairs from the same region 0.

    Args:
        h, w: map size (multiples of the window).
        window_size: int or (wh, ww).
        shift_size: int or (sh, sw), 0 <= shift < window.
        device: device of the mask.

    Returns:
        (nW, N, N) float mask, nW = h/wh * w/ww.

    Raises:
        ValueError: for a shift outside [0, window) or a map not divisible by the window.
    """
    wh, ww = _window_hw(window_size)
    sh, sw = (int(v) for v in to_2tuple(shift_size))
    if not (0 <= sh < wh and 0 <= sw < ww):
        raise ValueError(f'shift {(sh, sw)} must lie in [0, window {(wh, ww)})')
    _check_divisible(h, w, wh, ww, 'shifted_window_mask')
    region = torch.zeros(1, h, w, 1, device=device)
    label = 0
    for hs in (slice(0, h - wh), slice(h - wh, h - sh), slice(h - sh, h)):
        for ws in (slice(0, w - ww), slice(w - ww, w - sw), slice(w - sw, w)):
            region[:, hs, ws, :] = label
            label += 1
    win = window_partition(region, (wh, ww)).reshape(-1, wh * ww)
    diff = win[:, None, :] - win[:, :, None]
    return torch.where(diff != 0, torch.full_like(diff, -100.0), torch.zeros_like(diff))


class WindowAttention(nn.Module):
    """Multi-head self-attention inside windows, with a learnable relative position bias.

    Dot-product attention as in Swin Transformer (Liu et al., ICCV 2021) / SwinIR (Liang et al.,
    ICCVW 2021); with ``cosine=True`` the scaled cosine attention of Swin V2 (Liu et al.,
    CVPR 2022) used by NGswin: cosine similarity times a learnable per-head temperature
    ``exp(min(τ, log 100))``, τ initialised to log 10.

    Args:
        dim: token width C.
        window_size: int or (wh, ww); the token count per window is N = wh * ww.
        num_heads: number of heads.
        head_dim: width per head; defaults to ``dim // num_heads`` (the inner width
            ``num_heads * head_dim`` may then differ from ``dim``, as in NGswin).
        qkv_bias: bias of the query/key/value projection.
        proj_bias: bias of the output projection.
        qk_scale: dot-product scale; default ``head_dim ** -0.5`` (unused with ``cosine``).
        attn_drop: dropout on the attention weights.
        proj_drop: dropout after the output projection.
        cosine: scaled cosine attention instead of scaled dot product.
        rel_pos_bias: add the relative position bias.

    Shapes:
        x (B * nW, N, C), mask None or (nW, N, N) additive -> (B * nW, N, C).

    Raises:
        ValueError: for a non-positive head count/width, or (in ``forward``) a token count
            other than N or a batch not divisible by the mask's window count.
    """

    def __init__(self,
                 dim: int,
                 window_size: Size2,
                 num_heads: int,
                 head_dim: Optional[int] = None,
                 qkv_bias: bool = True,
                 proj_bias: bool = True,
                 qk_scale: Optional[float] = None,
                 attn_drop: float = 0.0,
                 proj_drop: float = 0.0,
                 cosine: bool = False,
                 rel_pos_bias: bool = True):
        super().__init__()
        if num_heads < 1:
            raise ValueError(f'num_heads must be positive, found {num_heads}')
        head_dim = head_dim or dim // num_heads
        if head_dim < 1:
            raise ValueError(f'dim {dim} is too small for {num_heads} heads')
        self.dim = dim
        self.window_size = _window_hw(window_size)
        self.num_tokens = self.window_size[0] * self.window_size[1]
        self.num_heads = num_heads
        self.head_dim = head_dim
        self.cosine = cosine
        inner = num_heads * head_dim
        self.scale = qk_scale or head_dim ** -0.5
        self.qkv = nn.Linear(dim, 3 * inner, bias=qkv_bias)
        self.proj = nn.Linear(inner, dim, bias=proj_bias)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj_drop = nn.Dropout(proj_drop)
        if cosine:
            self.logit_scale = nn.Parameter(torch.full((num_heads, 1, 1), math.log(10.0)))
        if rel_pos_bias:
            wh, ww = self.window_size
            self.relative_position_bias_table = nn.Parameter(
                torch.zeros((2 * wh - 1) * (2 * ww - 1), num_heads))
            trunc_normal_(self.relative_position_bias_table, std=0.02)
            self.register_buffer('relative_position_index',
                                 relative_position_index(self.window_size), persistent=False)
        else:
            self.relative_position_bias_table = None

    def position_bias(self) -> torch.Tensor:
        """The relative position bias (num_heads, N, N)."""
        n = self.num_tokens
        bias = self.relative_position_bias_table[self.relative_position_index.reshape(-1)]
        return bias.reshape(n, n, -1).permute(2, 0, 1)

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """See the class docstring."""
        bw, n, _ = x.shape
        if n != self.num_tokens:
            raise ValueError(f'expected {self.num_tokens} tokens per window, found {n}')
        q, k, v = self.qkv(x).reshape(bw, n, 3, self.num_heads, self.head_dim).permute(
            2, 0, 3, 1, 4).unbind(0)
        if self.cosine:
            attn = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)
            attn = attn * torch.clamp(self.logit_scale, max=math.log(100.0)).exp()
        else:
            attn = (q * self.scale) @ k.transpose(-2, -1)
        if self.relative_position_bias_table is not None:
            attn = attn + self.position_bias().unsqueeze(0)
        if mask is not None:
            n_win = mask.shape[0]
            if bw % n_win:
                raise ValueError(f'{bw} windows are not a multiple of the mask count {n_win}')
            attn = attn.view(bw // n_win, n_win, self.num_heads, n, n) + mask[None, :, None]
            attn = attn.view(bw, self.num_heads, n, n)
        attn = self.attn_drop(attn.softmax(dim=-1))
        out = (attn @ v).transpose(1, 2).reshape(bw, n, -1)
        return self.proj_drop(self.proj(out))

    def extra_repr(self) -> str:
        return (f'dim={self.dim}, window_size={self.window_size}, num_heads={self.num_heads}, '
                f'head_dim={self.head_dim}, cosine={self.cosine}')
