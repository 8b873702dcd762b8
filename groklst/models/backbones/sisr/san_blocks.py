"""Second-order channel attention (SOCA) of SAN, with a plain-torch matrix square root.

Dai, Cai, Zhang, Xia and Zhang, "Second-Order Attention Network for Single Image
Super-Resolution", CVPR 2019. The covariance normalization follows iSQRT-COV (Li, Xie, Wang and
Gao, "Towards Faster Training of Global Covariance Pooling Networks by Iterative Matrix Square
Root Normalization", CVPR 2018): a trace pre-normalization, coupled Newton-Schulz iterations and
a post-compensation by the square root of the trace. Everything is ordinary differentiable torch
code, so autograd provides the backward pass on any device (no custom CUDA kernels).
"""
import torch
import torch.nn as nn

from groklst.models.layers.activation import ActCfg
from groklst.models.layers.attention import channel_gate


def covariance_pool(x: torch.Tensor) -> torch.Tensor:
    """Channel covariance of a feature map, ``Σ = X_c X_cᵀ / M`` with ``X_c`` centred per channel.

    Args:
        x: features (B, C, H, W); M = H * W spatial samples.

    Returns:
        Covariance matrices (B, C, C) (symmetric positive semi-definite).

    Raises:
        ValueError: if ``x`` is not 4-D.
    """
    if x.dim() != 4:
        raise ValueError(f'covariance_pool expects (B, C, H, W), found {tuple(x.shape)}')
    b, c = x.shape[:2]
    flat = x.reshape(b, c, -1)
    centred = flat - flat.mean(dim=2, keepdim=True)
    return centred @ centred.transpose(1, 2) / flat.shape[2]


def newton_schulz_sqrtm(mat: torch.Tensor, n_iter: int = 5, eps: float = 1e-8) -> torch.Tensor:
    """Approximate square root of SPD matrices by coupled Newton-Schulz iterations.

    ``A = Σ / tr(Σ)``; ``Y_0 = A``, ``Z_0 = I``; ``T_k = (3I - Z_k Y_k) / 2``,
    ``Y_{k+1} = Y_k T_k``, ``Z_{k+1} = T_k Z_k`` (the last step updates Y only); the result is
    ``Y_N · sqrt(tr(Σ))`` (iSQRT-COV, Li et al., CVPR 2018; used by SAN, Dai et al., CVPR 2019).

    Args:
        mat: symmetric positive semi-definite matrices (B, C, C).
        n_iter: number N of iterations (>= 1); SAN uses 5.
        eps: lower bound of the trace (a constant feature map has zero covariance).

    Returns:
        (B, C, C) approximate square roots, in the dtype of ``mat`` (computed in float32 or
        wider, so it is safe under bf16 autocast).

    Raises:
        ValueError: if ``mat`` is not (B, C, C) or ``n_iter`` < 1.
    """
    if mat.dim() != 3 or mat.shape[1] != mat.shape[2]:
        raise ValueError(f'newton_schulz_sqrtm expects (B, C, C), found {tuple(mat.shape)}')
    if n_iter < 1:
        raise ValueError(f'n_iter must be >= 1, found {n_iter}')
    dtype = mat.dtype
    work = mat if dtype in (torch.float32, torch.float64) else mat.float()
    eye = torch.eye(work.shape[1], dtype=work.dtype, device=work.device).expand_as(work)
    trace = work.diagonal(dim1=1, dim2=2).sum(-1).clamp_min(eps)[:, None, None]
    y = work / trace
    z = eye
    for _ in range(n_iter - 1):
        t = 0.5 * (3.0 * eye - z @ y)
        y, z = y @ t, t @ z
    y = 0.5 * y @ (3.0 * eye - z @ y)
    return (y * trace.sqrt()).to(dtype)


class SecondOrderChannelAttention(nn.Module):
    """Second-order channel attention, SOCA (Dai et al., SAN, CVPR 2019, Sec. 3.3).

    The channel descriptor is the row mean of the normalized covariance ``Σ^{1/2}`` of the
    features instead of the first-order global average; a 1x1 bottleneck
    (C -> max(1, C // r) -> C) and a sigmoid turn it into channel gates.

    Args:
        channels: channels C.
        reduction: bottleneck ratio r (SAN: 16).
        n_iter: Newton-Schulz iterations (SAN: 5).
        act_cfg: bottleneck activation. Default ReLU.

    Shapes:
        (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: if ``channels`` or ``reduction`` is not positive.
    """

    def __init__(self, channels: int, reduction: int = 16, n_iter: int = 5,
                 act_cfg: ActCfg = 'ReLU'):
        super().__init__()
        self.n_iter = n_iter
        self.gate = channel_gate(channels, reduction, act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Rescale (B, C, H, W) features by their second-order channel gates."""
        b, c = x.shape[:2]
        sqrt_cov = newton_schulz_sqrtm(covariance_pool(x), self.n_iter)
        descriptor = sqrt_cov.mean(dim=1).reshape(b, c, 1, 1)
        return x * self.gate(descriptor)
