"""DCTNet (Zhao, Zhang, Xu, Lin, Zhang and Van Gool, "Discrete Cosine Transform Network for
Guided Depth Map Super-Resolution", CVPR 2022), for guided LST downscaling."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.dct import (dct_2d, idct_2d, laplacian_dct_eigenvalues,
                                       neumann_laplacian)
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


def solve_guided_poisson(target: torch.Tensor, guide: torch.Tensor, edge_weight: torch.Tensor,
                         lam: torch.Tensor) -> torch.Tensor:
    """Closed-form solution of DCTNet's guided reconstruction (Zhao et al., CVPR 2022, Eqs. 3-7).

    Minimizes, per channel, ``||z - d||² + λ ||Δz - w ⊙ Δr||²`` with ``Δ`` the 5-point
    Laplacian with replicate boundaries (:func:`~groklst.models.layers.dct.neumann_laplacian`).
    Its normal equation ``(I + λ Δ²) z = d + λ Δ(w ⊙ Δr)`` is diagonal in the DCT-II basis::

        z = idct( dct(d + λ Δ(w ⊙ Δr)) / (1 + λ κ²) )

    Args:
        target: d, (B, C, H, W) target features (upsampled LST branch).
        guide: r, (B, C, H, W) guidance features.
        edge_weight: w, (B, C, H, W) (or broadcastable) weights of the guidance edges.
        lam: λ > 0, broadcastable to (B, C, 1, 1).

    Returns:
        z, (B, C, H, W).

    Raises:
        ValueError: if ``target`` and ``guide`` shapes differ or are not 4-D.
    """
    if target.dim() != 4 or target.shape != guide.shape:
        raise ValueError(f'target and guide must both be (B, C, H, W) of one shape, found '
                         f'{tuple(target.shape)} and {tuple(guide.shape)}')
    h, w = target.shape[-2:]
    kappa = laplacian_dct_eigenvalues(h, w, target.dtype, target.device)
    rhs = target + lam * neumann_laplacian(edge_weight * neumann_laplacian(guide))
    return idct_2d(dct_2d(rhs) / (1 + lam * kappa.square()))


class CoupledLayer(nn.Module):
    """Coupled residual layer: two 3x3 convs per modality whose first ``n_shared`` output
    channels use kernels shared by the LST and guidance branches and the others private ones
    (Zhao et al., CVPR 2022, Sec. 3.2, after the coupled dictionary idea of CU-Net).

    Shapes:
        (B, F, H, W), (B, F, H, W) -> (B, F, H, W), (B, F, H, W).

    Raises:
        ValueError: unless 0 <= ``n_shared`` <= ``n_feats``.
    """

    def __init__(self, n_feats: int = 64, n_shared: int = 32, kernel_size: int = 3):
        super().__init__()
        if not 0 <= n_shared <= n_feats:
            raise ValueError(f'n_shared must be in [0, {n_feats}], found {n_shared}')
        self.padding = kernel_size // 2
        n_own = n_feats - n_shared

        def kernels(n_out):
            w = torch.empty(2, n_out, n_feats, kernel_size, kernel_size)
            for i in range(2):
                nn.init.kaiming_uniform_(w[i], a=5 ** 0.5)
            return nn.Parameter(w)

        self.shared_weight = kernels(n_shared)
        self.lst_weight = kernels(n_own)
        self.guide_weight = kernels(n_own)
        self.shared_bias = nn.Parameter(torch.zeros(2, n_shared))
        self.lst_bias = nn.Parameter(torch.zeros(2, n_own))
        self.guide_bias = nn.Parameter(torch.zeros(2, n_own))

    def _branch(self, x, own_weight, own_bias):
        out = x
        for i in range(2):
            weight = torch.cat([self.shared_weight[i], own_weight[i]], 0)
            bias = torch.cat([self.shared_bias[i], own_bias[i]], 0)
            out = F.conv2d(out, weight, bias, padding=self.padding)
            if i == 0:
                out = F.relu(out)
        return F.relu(out + x)

    def forward(self, feat_lst: torch.Tensor, feat_guide: torch.Tensor):
        """Return the updated (LST, guidance) features, each (B, F, H, W)."""
        return (self._branch(feat_lst, self.lst_weight, self.lst_bias),
                self._branch(feat_guide, self.guide_weight, self.guide_bias))


class EdgeWeightNet(nn.Module):
    """Edge-weight prediction network of DCTNet (Zhao et al., CVPR 2022, Sec. 3.3): a strided,
    max-pooled context branch, upsampled and added to a 1x1 shortcut, then a sigmoid.

    Shapes:
        (B, F, H, W) -> (B, F, H, W) in (0, 1).
    """

    def __init__(self, n_feats: int = 64):
        super().__init__()
        f = max(1, n_feats // 4)
        self.reduce = nn.Conv2d(n_feats, f, 1)
        self.shortcut = nn.Conv2d(f, f, 1)
        self.down = nn.Conv2d(f, f, 3, stride=2)
        self.context = nn.Sequential(
            nn.Conv2d(f, f, 3, padding=1), nn.ReLU(),
            nn.Conv2d(f, f, 3, padding=1), nn.ReLU(),
            nn.Conv2d(f, f, 3, padding=1))
        self.expand = nn.Conv2d(f, n_feats, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, F, H, W) guidance features -> (B, F, H, W) weights in (0, 1)."""
        x = self.reduce(x)
        ctx = self.down(F.pad(x, (1, 1, 1, 1), mode='replicate'))
        # the paper pools 7x7 with stride 3; tiny maps pool over what they have
        k = min(7, ctx.shape[-2], ctx.shape[-1])
        ctx = self.context(F.max_pool2d(ctx, kernel_size=k, stride=min(3, k)))
        ctx = F.interpolate(ctx, size=x.shape[-2:], mode='bilinear', align_corners=False)
        return torch.sigmoid(self.expand(ctx + self.shortcut(x)))


@MODELS.register_module()
class DCTNet(BaseGenerator):
    """DCTNet: coupled feature extraction, an edge-weighted guided Poisson problem solved in
    closed form by the DCT, and a small decoder.

    Zhao, Zhang, Xu, Lin, Zhang and Van Gool, "Discrete Cosine Transform Network for Guided
    Depth Map Super-Resolution", CVPR 2022 (code: github.com/Zhaozixiang1228/GDSR-DCTNet).

    The LR LST is first interpolated (bicubic) to the guidance grid, as the paper does with the
    LR depth. A coupled encoder (``n_layers`` :class:`CoupledLayer`) turns it and the K guidance
    bands into F-channel features ``d`` and ``r``; :class:`EdgeWeightNet` predicts edge weights
    ``w`` from ``r``; :func:`solve_guided_poisson` returns ``z`` with a learnt per-channel
    ``λ = exp(θ)``; a 3-conv decoder maps ``z`` to LST. The network predicts the HR field itself
    (``residual=None`` in the ``Downscaler``).

    Deviations: K guidance bands instead of RGB; the decoder has no final ReLU (normalized LST
    is signed); the Laplacian is the 5-point one whose DCT eigenvalues are exactly the paper's
    ``K`` (the official code mixes in kornia's 8-neighbour kernel, which the DCT does not
    diagonalize exactly); works at any scale since all processing is at HR.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: K guidance bands.
        n_feats: feature width F (paper 64).
        n_shared: shared channels of each coupled layer (paper 32).
        n_layers: coupled layers (paper 4).
        lambda_init: (mean, std) of the normal initialisation of log λ (paper (0.1, 0.3)).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, or inputs of the wrong shape / band count.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Zhao et al., "Discrete Cosine Transform Network for Guided Depth Map '
             'Super-Resolution", CVPR 2022')

    def __init__(self, scale: int, guidance_channels: int, n_feats: int = 64,
                 n_shared: int = 32, n_layers: int = 4, lambda_init=(0.1, 0.3), init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.guidance_channels = guidance_channels
        self.lst_head = nn.Sequential(nn.Conv2d(1, n_feats, 3, padding=1), nn.ReLU())
        self.guide_head = nn.Sequential(nn.Conv2d(guidance_channels, n_feats, 3, padding=1),
                                        nn.ReLU())
        self.coupled = nn.ModuleList(CoupledLayer(n_feats, n_shared) for _ in range(n_layers))
        self.edge_weight = EdgeWeightNet(n_feats)
        self.log_lambda = nn.Parameter(torch.empty(1, n_feats, 1, 1))
        nn.init.normal_(self.log_lambda, *lambda_init)
        self.decoder = nn.Sequential(
            nn.Conv2d(n_feats, n_feats // 2, 3, padding=1), nn.ReLU(),
            nn.Conv2d(n_feats // 2, n_feats // 4, 3, padding=1), nn.ReLU(),
            nn.Conv2d(n_feats // 4, 1, 3, padding=1))

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalized LR LST (B, 1, h, w) + guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w)."""
        d = self.lst_head(interpolate_lr(lr, self.scale, 'bicubic'))
        r = self.guide_head(guidance)
        for layer in self.coupled:
            d, r = layer(d, r)
        z = solve_guided_poisson(d, r, self.edge_weight(r), self.log_lambda.exp())
        return self.decoder(z)
