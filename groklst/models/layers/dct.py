"""Differentiable 2-D discrete cosine transform (orthonormal DCT-II) and the Laplacian it
diagonalizes.

The DCT-II basis is the eigenbasis of the 5-point Laplacian with half-sample symmetric
(Neumann, "replicate") boundaries, so a screened Poisson problem

    (I + λ Δ²) z = b

is solved exactly by ``idct_2d(dct_2d(b) / (1 + λ κ²))`` with κ from
:func:`laplacian_dct_eigenvalues` (Strang, "The Discrete Cosine Transform", SIAM Review 1999).
DCTNet (Zhao et al., "Discrete Cosine Transform Network for Guided Depth Map
Super-Resolution", CVPR 2022) uses this closed form as a network layer.

Everything is a plain torch op (matrix products), so gradients flow and any device/dtype works.
"""
import math

import torch
import torch.nn.functional as F


def dct_matrix(n: int, dtype: torch.dtype = torch.float32,
               device: torch.device = None) -> torch.Tensor:
    """Orthonormal DCT-II matrix ``D`` (n, n): ``D[k, i] = a_k cos(π (2i + 1) k / (2n))`` with
    ``a_0 = sqrt(1/n)`` and ``a_k = sqrt(2/n)`` otherwise, so ``D @ D.T = I`` and ``D @ x``
    equals ``scipy.fft.dct(x, type=2, norm='ortho')``.

    Raises:
        ValueError: if ``n`` < 1.
    """
    if n < 1:
        raise ValueError(f'DCT size must be >= 1, found {n}')
    k = torch.arange(n, dtype=torch.float64, device=device)[:, None]
    i = torch.arange(n, dtype=torch.float64, device=device)[None, :]
    mat = torch.cos(math.pi * (2 * i + 1) * k / (2 * n)) * math.sqrt(2.0 / n)
    mat[0] = mat[0] / math.sqrt(2.0)
    return mat.to(dtype)


def _check_map(x: torch.Tensor, what: str) -> None:
    if x.dim() < 2:
        raise ValueError(f'{what} needs a tensor with at least 2 dims (..., H, W), found '
                         f'shape {tuple(x.shape)}')


def dct_2d(x: torch.Tensor) -> torch.Tensor:
    """Orthonormal 2-D DCT-II over the last two dims: (..., H, W) -> (..., H, W).

    Equals ``scipy.fft.dctn(x, axes=(-2, -1), norm='ortho')``.

    Raises:
        ValueError: if ``x`` has fewer than 2 dims.
    """
    _check_map(x, 'dct_2d')
    dh = dct_matrix(x.shape[-2], x.dtype, x.device)
    dw = dct_matrix(x.shape[-1], x.dtype, x.device)
    return dh @ x @ dw.transpose(0, 1)


def idct_2d(coeffs: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`dct_2d` (orthonormal DCT-III): (..., H, W) -> (..., H, W).

    Raises:
        ValueError: if ``coeffs`` has fewer than 2 dims.
    """
    _check_map(coeffs, 'idct_2d')
    dh = dct_matrix(coeffs.shape[-2], coeffs.dtype, coeffs.device)
    dw = dct_matrix(coeffs.shape[-1], coeffs.dtype, coeffs.device)
    return dh.transpose(0, 1) @ coeffs @ dw


def neumann_laplacian(x: torch.Tensor) -> torch.Tensor:
    """5-point Laplacian ``Δx = x[i-1,j] + x[i+1,j] + x[i,j-1] + x[i,j+1] - 4 x[i,j]`` with
    replicate (half-sample symmetric) padding, per channel: (B, C, H, W) -> (B, C, H, W).

    This operator is diagonal in the DCT-II basis with eigenvalues
    :func:`laplacian_dct_eigenvalues`.

    Raises:
        ValueError: if ``x`` is not 4-D.
    """
    if x.dim() != 4:
        raise ValueError(f'neumann_laplacian needs (B, C, H, W), found {tuple(x.shape)}')
    p = F.pad(x, (1, 1, 1, 1), mode='replicate')
    return (p[..., :-2, 1:-1] + p[..., 2:, 1:-1] + p[..., 1:-1, :-2] + p[..., 1:-1, 2:]
            - 4 * x)


def laplacian_dct_eigenvalues(h: int, w: int, dtype: torch.dtype = torch.float32,
                              device: torch.device = None) -> torch.Tensor:
    """Eigenvalues κ (1, 1, H, W) of :func:`neumann_laplacian` in the DCT-II basis:
    ``κ[k, l] = 2 (cos(π k / H) + cos(π l / W) - 2)`` (all ≤ 0; κ[0, 0] = 0), the ``K`` of
    DCTNet (Zhao et al., CVPR 2022, Eq. 6).

    Raises:
        ValueError: if ``h`` or ``w`` < 1.
    """
    if h < 1 or w < 1:
        raise ValueError(f'size must be positive, found ({h}, {w})')
    ky = torch.cos(math.pi * torch.arange(h, dtype=torch.float64, device=device) / h)
    kx = torch.cos(math.pi * torch.arange(w, dtype=torch.float64, device=device) / w)
    kappa = 2 * (ky[:, None] + kx[None, :] - 2)
    return kappa.to(dtype)[None, None]
