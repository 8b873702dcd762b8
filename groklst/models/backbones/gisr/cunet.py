"""CU-Net (Deng and Dragotti, "Deep Convolutional Neural Network for Multi-Modal Image
Restoration and Fusion", TPAMI 2020), for guided LST downscaling."""
import torch
import torch.nn as nn

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers.resample import interpolate_lr
from groklst.registry import MODELS


def soft_threshold(x: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
    """Soft-thresholding ``sign(x) · max(|x| − θ, 0)``, the proximal operator of ``θ ||·||₁``
    (the shrinkage of ISTA/LISTA, Gregor and LeCun, ICML 2010). Any shape; θ broadcasts."""
    return torch.sign(x) * torch.relu(x.abs() - threshold)


class LISTABlock(nn.Module):
    """Unfolded convolutional sparse coding (LISTA) of CU-Net (Deng and Dragotti, TPAMI 2020,
    Sec. 4.1, Fig. 3).

    Finds a sparse code ``u`` with ``x ≈ D u`` (D a convolutional dictionary) by ``n_iters``
    learned ISTA steps, each with its own filters and threshold::

        p = E x                              # encoder (C -> M filters)
        u_0 = S_{θ_0}(p)
        u_{t+1} = S_{θ_{t+1}}(p + u_t - G_t(D_t(u_t)))   # D_t: M -> C, G_t: C -> M

    Args:
        in_channels: C, channels of the image coded.
        n_filters: M, number of dictionary atoms (paper 64).
        kernel_size: odd filter size (paper 9).
        n_iters: unfolded iterations (paper 4).
        threshold_init: initial threshold θ of every step (paper 0.01).

    Shapes:
        (B, C, H, W) -> (B, M, H, W).

    Raises:
        ValueError: for an even kernel size or ``n_iters`` < 0.
    """

    def __init__(self, in_channels: int, n_filters: int = 64, kernel_size: int = 9,
                 n_iters: int = 4, threshold_init: float = 0.01):
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd, found {kernel_size}')
        if n_iters < 0:
            raise ValueError(f'n_iters must be >= 0, found {n_iters}')
        pad = kernel_size // 2

        def conv(cin, cout):
            layer = nn.Conv2d(cin, cout, kernel_size, padding=pad, bias=False)
            nn.init.xavier_uniform_(layer.weight)
            return layer

        self.encode = conv(in_channels, n_filters)
        self.decode = nn.ModuleList(conv(n_filters, in_channels) for _ in range(n_iters))
        self.reencode = nn.ModuleList(conv(in_channels, n_filters) for _ in range(n_iters))
        self.thresholds = nn.Parameter(torch.full((n_iters + 1, ), float(threshold_init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) image -> (B, M, H, W) sparse code."""
        p = self.encode(x)
        code = soft_threshold(p, self.thresholds[0])
        for t, (dec, enc) in enumerate(zip(self.decode, self.reencode)):
            code = soft_threshold(p + code - enc(dec(code)), self.thresholds[t + 1])
        return code


@MODELS.register_module()
class CUNet(BaseGenerator):
    """CU-Net: common and unique convolutional sparse codes of the target and the guidance.

    Deng and Dragotti, "Deep Convolutional Neural Network for Multi-Modal Image Restoration and
    Fusion", TPAMI 2020 (code: github.com/cindydeng1991/TPAMI-CU-Net).

    The bicubic-upsampled LR LST ``x`` and the guidance ``y`` follow the coupled model
    ``x = D_u u + D_z z``, ``y = D_v v + D_w z``: ``u``/``v`` are the codes unique to each
    modality and ``z`` the common one. Unique feature extraction modules (two
    :class:`LISTABlock`) find ``u`` from ``x`` and ``v`` from ``y``; the common one finds ``z``
    from the residuals ``[x - D_u u, y - D_v v]``; the reconstruction is ``D_u' u + D_z z``.
    The output is the HR field itself (``residual=None`` in the ``Downscaler``).

    Deviations: K guidance bands instead of 1 or 3 (the common module codes 1 + K channels).

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: K guidance bands.
        n_filters: atoms M of every dictionary (paper 64).
        kernel_size: odd filter size (paper 9).
        n_iters: LISTA iterations per module (paper 4).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, even kernel size, or inputs of the wrong shape.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Deng and Dragotti, "Deep Convolutional Neural Network for Multi-Modal Image '
             'Restoration and Fusion", TPAMI 2020')

    def __init__(self, scale: int, guidance_channels: int, n_filters: int = 64,
                 kernel_size: int = 9, n_iters: int = 4, init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        self.guidance_channels = guidance_channels
        lista = dict(n_filters=n_filters, kernel_size=kernel_size, n_iters=n_iters)
        self.unique_lst = LISTABlock(1, **lista)
        self.unique_guide = LISTABlock(guidance_channels, **lista)
        self.common = LISTABlock(1 + guidance_channels, **lista)

        def atoms(cout):
            layer = nn.Conv2d(n_filters, cout, kernel_size, padding=kernel_size // 2, bias=False)
            nn.init.xavier_uniform_(layer.weight)
            return layer

        self.dict_lst = atoms(1)  # D_u, removes the unique LST part before common coding
        self.dict_guide = atoms(guidance_channels)  # D_v
        self.recon_unique = atoms(1)  # reconstruction from u
        self.recon_common = atoms(1)  # reconstruction from z

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalized LR LST (B, 1, h, w) + guidance (B, K, s*h, s*w) -> (B, 1, s*h, s*w)."""
        x = interpolate_lr(lr, self.scale, 'bicubic')
        u = self.unique_lst(x)
        v = self.unique_guide(guidance)
        z = self.common(torch.cat([x - self.dict_lst(u), guidance - self.dict_guide(v)], 1))
        return self.recon_unique(u) + self.recon_common(z)
