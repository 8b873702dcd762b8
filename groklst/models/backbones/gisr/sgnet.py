"""SGNet (Wang, Yan, Yang, Zhou, Luo and Sun, "SGNet: Structure Guided Network via
Gradient-Frequency Awareness for Depth Map Super-Resolution", AAAI 2024), for guided LST
downscaling."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from groklst.models.backbones.base import BaseGenerator
from groklst.models.layers import CALayer, DenseProjection, ResBlock, ResidualGroup, default_conv
from groklst.registry import MODELS

_LRELU = dict(type='LeakyReLU', negative_slope=0.2)


def gradient_magnitude(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Per-channel gradient magnitude ``sqrt(g_v² + g_h² + eps)`` with central differences
    ``g_v = x[i+1, j] − x[i−1, j]``, ``g_h = x[i, j+1] − x[i, j−1]`` and zero padding (the
    gradient maps of SGNet's GCM). (B, C, H, W) -> (B, C, H, W).

    Raises:
        ValueError: if ``x`` is not 4-D.
    """
    if x.dim() != 4:
        raise ValueError(f'gradient_magnitude needs (B, C, H, W), found {tuple(x.shape)}')
    p = F.pad(x, (1, 1, 1, 1))
    g_v = p[..., 2:, 1:-1] - p[..., :-2, 1:-1]
    g_h = p[..., 1:-1, 2:] - p[..., 1:-1, :-2]
    return torch.sqrt(g_v.square() + g_h.square() + eps)


def channel_std(x: torch.Tensor) -> torch.Tensor:
    """Spatial standard deviation (population) per channel: (B, C, H, W) -> (B, C, 1, 1)."""
    return x.var(dim=(2, 3), unbiased=False, keepdim=True).sqrt()


class InvertibleConv1x1(nn.Module):
    """Invertible 1x1 convolution with an LU-parameterized weight ``W = P L (U + diag(σ e^s))``
    (Kingma and Dhariwal, "Glow", NeurIPS 2018): P a fixed permutation, L unit lower
    triangular, U strictly upper triangular, σ fixed signs; ``log|det W| = Σ s``. Initialised
    from a random rotation. (B, C, H, W) -> (B, C, H, W)."""

    def __init__(self, channels: int):
        super().__init__()
        q, _ = torch.linalg.qr(torch.randn(channels, channels))
        p, lower, upper = torch.linalg.lu(q)
        diag = torch.diagonal(upper)
        self.register_buffer('perm', p)
        self.register_buffer('sign', torch.sign(diag))
        self.register_buffer('lower_mask', torch.tril(torch.ones(channels, channels), -1))
        self.lower = nn.Parameter(lower)
        self.upper = nn.Parameter(torch.triu(upper, 1))
        self.log_scale = nn.Parameter(diag.abs().log())

    def weight(self) -> torch.Tensor:
        """The (C, C) matrix W."""
        eye = torch.eye(self.perm.shape[0], dtype=self.lower.dtype, device=self.lower.device)
        lower = self.lower * self.lower_mask + eye
        upper = self.upper * self.lower_mask.T + torch.diag(self.sign * self.log_scale.exp())
        return self.perm @ lower @ upper

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        return F.conv2d(x, self.weight()[..., None, None])


class _UNetConvBlock(nn.Module):
    """Two 3x3 convs with LeakyReLU(0.1) plus a 1x1 projection of the input."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.LeakyReLU(0.1),
                                  nn.Conv2d(cout, cout, 3, padding=1), nn.LeakyReLU(0.1))
        self.identity = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return self.body(x) + self.identity(x)


class _DenseSubnet(nn.Module):
    """Coupling sub-network of :class:`InvBlock`: two conv blocks of ``growth`` channels,
    densely concatenated, and a 3x3 conv; (B, C_in, H, W) -> (B, C_out, H, W). Convs start at
    0.1 × Xavier (small couplings, as in SGNet)."""

    def __init__(self, cin: int, cout: int, growth: int = 8):
        super().__init__()
        self.block1 = _UNetConvBlock(cin, growth)
        self.block2 = _UNetConvBlock(growth, growth)
        self.out = nn.Conv2d(cin + 2 * growth, cout, 3, padding=1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_normal_(m.weight)
                m.weight.data.mul_(0.1)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x1 = F.leaky_relu(self.block1(x), 0.2)
        x2 = F.leaky_relu(self.block2(x1), 0.2)
        return F.leaky_relu(self.out(torch.cat([x, x1, x2], 1)), 0.2)


class InvBlock(nn.Module):
    """Affine coupling block (invertible 1x1 conv, then ``y1 = x1 + F(x2)``,
    ``y2 = x2 · exp(c (2σ(H(y1)) − 1)) + G(y1)``), used by SGNet to fuse spatial features.

    Shapes:
        (B, C, H, W) -> (B, C, H, W); the first ``split`` channels are x1.
    """

    def __init__(self, channels: int, split: int, clamp: float = 0.8):
        super().__init__()
        self.split = split
        self.clamp = clamp
        self.mix = InvertibleConv1x1(channels)
        self.f = _DenseSubnet(channels - split, split)
        self.g = _DenseSubnet(split, channels - split)
        self.h = _DenseSubnet(split, channels - split)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        x1, x2 = self.mix(x).split([self.split, x.shape[1] - self.split], 1)
        y1 = x1 + self.f(x2)
        s = self.clamp * (2 * torch.sigmoid(self.h(y1)) - 1)
        return torch.cat([y1, x2 * s.exp() + self.g(y1)], 1)


class _FrequencyDiff(nn.Module):
    """Fuses one spectral component (amplitude or phase) of the LST and guidance features:
    a branch on the LST component and one on |guidance − LST|, concatenated, 1x1 fused."""

    def __init__(self, channels: int, guide_channels: int):
        super().__init__()
        self.pre_lst = nn.Conv2d(channels, channels, 1)
        self.pre_guide = nn.Conv2d(guide_channels, channels, 1)

        def mlp():
            return nn.Sequential(nn.Conv2d(channels, channels, 1), nn.LeakyReLU(0.1),
                                 nn.Conv2d(channels, channels, 1))

        self.lst_branch, self.diff_branch = mlp(), mlp()
        self.post = nn.Conv2d(2 * channels, channels, 1)

    def forward(self, lst, guide):
        lst = self.pre_lst(lst)
        diff = (self.pre_guide(guide) - lst).abs()
        return self.post(torch.cat([self.lst_branch(lst), self.diff_branch(diff)], 1))


class FrequencyFusion(nn.Module):
    """Frequency branch of SGNet's structure-guided fusion: amplitude and phase of the 2-D
    real FFT of LST and guidance features are fused separately (:class:`_FrequencyDiff`) and
    transformed back (magnitude of the inverse FFT), then a 1x1 conv.

    Shapes:
        lst (B, C, H, W), guide (B, R, H, W) -> (B, C, H, W).
    """

    def __init__(self, channels: int, guide_channels: int):
        super().__init__()
        self.pre_lst = nn.Conv2d(channels, channels, 1)
        self.pre_guide = nn.Conv2d(guide_channels, guide_channels, 1)
        self.amplitude = _FrequencyDiff(channels, guide_channels)
        self.phase = _FrequencyDiff(channels, guide_channels)
        self.post = nn.Conv2d(channels, channels, 1)

    def forward(self, lst: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """See the class docstring. Runs in float32 (float64 for float64 inputs) with autocast
        off: the FFTs have no bfloat16 kernel and a float16 one only for power-of-2 sizes."""
        dtype = torch.promote_types(lst.dtype, torch.float32)
        with torch.autocast(lst.device.type, enabled=False):
            return self._fused(lst.to(dtype), guide.to(dtype))

    def _fused(self, lst: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        h, w = lst.shape[-2:]
        lst_f = torch.fft.rfft2(self.pre_lst(lst) + 1e-8)
        guide_f = torch.fft.rfft2(self.pre_guide(guide) + 1e-8)
        amp = self.amplitude(lst_f.abs(), guide_f.abs())
        pha = self.phase(torch.angle(lst_f), torch.angle(guide_f))
        spec = torch.complex(amp * torch.cos(pha) + 1e-8, amp * torch.sin(pha) + 1e-8)
        return self.post(torch.fft.irfft2(spec, s=(h, w)).abs())


class StructureFusion(nn.Module):
    """Structure-guided fusion (SDM) of SGNet (Wang et al., AAAI 2024, Sec. 3.3): LST features
    are projected to HR (DBPN up-projection), fused with guidance features in the spatial
    domain (:class:`InvBlock`) and in the frequency domain (:class:`FrequencyFusion`), merged
    by another InvBlock, re-weighted by contrast-aware channel attention (std + mean), added to
    the upsampled input and projected back to LR.

    Shapes:
        lst (B, C, h, w), guide (B, R, s*h, s*w) -> (B, C, h, w), refined guide (B, R, s*h, s*w).
    """

    def __init__(self, channels: int, guide_channels: int, scale: int):
        super().__init__()
        self.up = DenseProjection(channels, channels, scale, up=True)
        self.down = DenseProjection(channels, channels, scale, up=False)
        self.guide_refine = nn.Conv2d(guide_channels, guide_channels, 3, padding=1)
        self.guide_pre = nn.Conv2d(guide_channels, guide_channels, 1)
        self.spatial = nn.Sequential(InvBlock(channels + guide_channels, channels),
                                     nn.Conv2d(channels + guide_channels, channels, 1))
        self.frequency = FrequencyFusion(channels, guide_channels)
        self.merge = nn.Sequential(InvBlock(2 * channels, channels),
                                   nn.Conv2d(2 * channels, channels, 1))
        self.channel_gate = nn.Sequential(
            nn.Conv2d(channels, channels // 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(channels // 2, channels, 1), nn.Sigmoid())

    def forward(self, lst: torch.Tensor, guide: torch.Tensor):
        """See the class docstring."""
        lst = self.up(lst)
        refined = self.guide_refine(guide)
        guide = self.guide_pre(refined)
        fused = self.merge(torch.cat([self.spatial(torch.cat([lst, guide], 1)),
                                      self.frequency(lst, guide)], 1))
        gate = self.channel_gate(channel_std(fused) + fused.mean(dim=(2, 3), keepdim=True))
        return self.down(gate * fused + lst), refined


class GradientCalibration(nn.Module):
    """Gradient calibration module (GCM) of SGNet (Wang et al., AAAI 2024, Sec. 3.2).

    The LR LST is up-projected to HR; the gradient magnitudes of its HR estimate and of the K
    guidance bands (:func:`gradient_magnitude`) are embedded, fused (residual groups) and
    calibrated by channel attention into a one-channel HR gradient map, which is re-embedded,
    added to the LST features and brought back to LR by a DBPN down-projection.

    Args:
        n_feats: width F.
        guidance_channels: K.
        scale: scale factor s.
        n_blocks: RCABs per residual group (paper 4; the LST feature group has twice as many).

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> gradient map (B, 1, s*h, s*w),
        gradient features (B, F, h, w).
    """

    def __init__(self, n_feats: int, guidance_channels: int, scale: int, n_blocks: int = 4):
        super().__init__()
        self.up = DenseProjection(1, 1, scale, up=True)
        self.down = DenseProjection(n_feats, n_feats, scale, up=False)
        self.embed_guide = default_conv(guidance_channels, n_feats, 3)
        self.embed_lst = default_conv(1, n_feats, 3)
        self.guide_body = ResBlock(n_feats, act_cfg=_LRELU)
        n = n_blocks
        self.lst_body = ResidualGroup(n_feats, n, reduction=16, act_cfg=_LRELU)
        self.fuse = nn.Sequential(
            nn.Conv2d(2 * n_feats, n_feats, 1),
            ResidualGroup(n_feats, n, reduction=8, act_cfg=_LRELU),
            ResidualGroup(n_feats, n, reduction=8, act_cfg=_LRELU))
        self.calibrate = CALayer(n_feats, 4)
        self.to_gradient = nn.Sequential(default_conv(n_feats, n_feats, 3),
                                         default_conv(n_feats, 1, 3))
        self.lst_feat = nn.Sequential(default_conv(1, n_feats, 3),
                                      ResidualGroup(n_feats, 2 * n, reduction=8, act_cfg=_LRELU))
        self.gradient_feat = nn.Sequential(
            default_conv(1, n_feats, 3), nn.LeakyReLU(0.2), default_conv(n_feats, n_feats, 3))
        self.refine = nn.Sequential(ResidualGroup(n_feats, n, reduction=8, act_cfg=_LRELU),
                                    ResidualGroup(n_feats, n, reduction=8, act_cfg=_LRELU))

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor):
        """See the class docstring."""
        lst = self.up(lr)
        g = self.guide_body(self.embed_guide(gradient_magnitude(guidance)))
        d = self.embed_lst(gradient_magnitude(lst))
        fused = self.fuse(torch.cat([g, self.lst_body(d)], 1))
        gradient = self.to_gradient(d + self.calibrate(fused))
        feats = self.refine(self.gradient_feat(gradient) + self.lst_feat(lst))
        return gradient, self.down(feats)


@MODELS.register_module()
class SGNet(BaseGenerator):
    """SGNet: structure guidance via gradient and frequency awareness.

    Wang, Yan, Yang, Zhou, Luo and Sun, "SGNet: Structure Guided Network via Gradient-Frequency
    Awareness for Depth Map Super-Resolution", AAAI 2024 (code: github.com/yanzq95/SGNet).

    An LR trunk of residual groups (F, 2F, 2F, 3F channels; ``n_resblocks`` RCABs each) is
    conditioned at three points on the gradient features of :class:`GradientCalibration` and
    fused with guidance features (ResBlock chain at HR) by three :class:`StructureFusion`
    modules; the trunk output is up-projected to HR (DBPN), refined by three residual groups
    of ``n_tail_blocks`` RCABs and mapped to the residual to the bicubic LR
    (``residual='bicubic'``; the paper adds the bicubic LR itself). The calibrated HR gradient
    map of the GCM is used inside the network (the paper also puts a gradient loss on it; the
    Downscaler trains the output only).

    Deviations: K guidance bands (their gradient magnitudes are embedded by one conv instead
    of three RGB gradients); unused modules of the official code are left out.

    Args:
        scale: scale factor s (2, 4 or 8).
        guidance_channels: K guidance bands.
        n_feats: width F (paper 40; even).
        n_resblocks: RCABs per LR residual group (paper 6).
        n_tail_blocks: RCABs per HR residual group (paper 8).
        n_gcm_blocks: RCABs per residual group of the GCM (paper 4).
        init_cfg: MMEngine initialisation config.

    Shapes:
        lr (B, 1, h, w), guidance (B, K, s*h, s*w) -> residual (B, 1, s*h, s*w).

    Raises:
        ValueError: unsupported scale, odd ``n_feats``, or inputs of the wrong shape.
    """

    uses_guidance = True
    model_kind = 'gisr'
    supported_scales = (2, 4, 8)
    paper = ('Wang et al., "SGNet: Structure Guided Network via Gradient-Frequency Awareness '
             'for Depth Map Super-Resolution", AAAI 2024')

    def __init__(self, scale: int, guidance_channels: int, n_feats: int = 40,
                 n_resblocks: int = 6, n_tail_blocks: int = 8, n_gcm_blocks: int = 4,
                 init_cfg=None):
        super().__init__(scale, init_cfg=init_cfg)
        if n_feats % 2:
            raise ValueError(f'n_feats must be even, found {n_feats}')
        self.guidance_channels = guidance_channels
        f = n_feats

        def group(c, n=n_resblocks, r=16):
            return ResidualGroup(c, n, reduction=r, act_cfg=_LRELU)

        self.gradient = GradientCalibration(f, guidance_channels, scale, n_gcm_blocks)
        self.lst_head = nn.Sequential(default_conv(1, f, 3), nn.LeakyReLU(0.2))
        self.lst_widen = default_conv(f, 2 * f, 3)
        self.guide_head = nn.Sequential(default_conv(guidance_channels, f, 3), nn.LeakyReLU(0.2))
        self.guide_blocks = nn.ModuleList(ResBlock(f, act_cfg=_LRELU) for _ in range(3))
        self.trunk = nn.ModuleList([group(f), group(2 * f), group(2 * f), group(3 * f)])
        self.with_gradient = nn.ModuleList([
            default_conv(2 * f, f, 1), default_conv(3 * f, 2 * f, 1),
            default_conv(3 * f, 3 * f, 1)])
        self.fusions = nn.ModuleList(StructureFusion(c * f, f, scale) for c in (1, 2, 3))
        self.merge2 = default_conv(4 * f, 2 * f, 1)
        self.merge_all = default_conv(8 * f, 3 * f, 1)
        self.up = DenseProjection(3 * f, 3 * f, scale, up=True)
        self.tail = nn.Sequential(*[group(3 * f, n_tail_blocks) for _ in range(3)])
        self.out = nn.Sequential(default_conv(3 * f, f, 3), nn.LeakyReLU(0.2),
                                 default_conv(f, 1, 3))

    def forward(self, lr: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        """Normalized LR LST (B, 1, h, w) + guidance (B, K, s*h, s*w) -> residual (B, 1, s*h,
        s*w) to add to the bicubic-upsampled LR."""
        _, grad = self.gradient(lr, guidance)
        x0 = self.lst_head(lr)
        x1 = self.trunk[0](x0)
        g = self.guide_blocks[0](self.guide_head(guidance))
        f1, g = self.fusions[0](self.with_gradient[0](torch.cat([x1, grad], 1)), g)
        x2 = self.trunk[1](torch.cat([x1, f1 + x0], 1))
        f2, g = self.fusions[1](self.with_gradient[1](torch.cat([x2, grad], 1)),
                                self.guide_blocks[1](g))
        x3 = self.trunk[2](self.merge2(torch.cat([x2, f2 + self.lst_widen(x0)], 1)))
        f3, _ = self.fusions[2](self.with_gradient[2](torch.cat([x3, grad], 1)),
                                self.guide_blocks[2](g))
        x4 = self.trunk[3](self.merge_all(torch.cat([x1, x2, x3, f3], 1)))
        return self.out(self.tail(self.up(x4)))
