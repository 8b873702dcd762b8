"""Sub-pixel (pixel-shuffle) upsamplers shared by the SR generators."""
import math

from torch import nn

from .conv import default_conv


class PixelShuffleUpsampler(nn.Sequential):
    """Upsample features (B, C, H, W) → (B, C, s·H, s·W) by pixel shuffle (Shi et al., CVPR 2016,
    "Real-Time Single Image and Video Super-Resolution Using an Efficient Sub-Pixel CNN").

    Powers of two are done as a chain of ×2 stages (conv C→4C, shuffle 2), the layout of EDSR /
    RCAN (Lim et al., CVPRW 2017); scale 3 uses one conv C→9C and shuffle 3.

    Args:
        scale: scale factor (2, 3, 4, 8, ... any power of two, or 3).
        channels: feature channels C.
        kernel_size: kernel of the convs before each shuffle.
        act: optional module inserted after each shuffle (e.g. nn.ReLU), deep-copied per stage.

    Raises:
        ValueError: the scale is neither 3 nor a power of two.
    """

    def __init__(self, scale: int, channels: int, kernel_size: int = 3, act: nn.Module = None):
        import copy
        layers = []
        if scale >= 2 and scale & (scale - 1) == 0:
            for _ in range(int(math.log2(scale))):
                layers += [default_conv(channels, 4 * channels, kernel_size), nn.PixelShuffle(2)]
                if act is not None:
                    layers.append(copy.deepcopy(act))
        elif scale == 3:
            layers += [default_conv(channels, 9 * channels, kernel_size), nn.PixelShuffle(3)]
            if act is not None:
                layers.append(copy.deepcopy(act))
        else:
            raise ValueError(f'PixelShuffleUpsampler supports scale 3 or powers of 2, got {scale}')
        super().__init__(*layers)


class OneStepUpsampler(nn.Sequential):
    """Lightweight upsampler: one conv C→out·s² and one pixel shuffle s (SwinIR's
    'pixelshuffledirect', Liang et al., ICCVW 2021), (B, C, H, W) → (B, out, s·H, s·W)."""

    def __init__(self, scale: int, channels: int, out_channels: int, kernel_size: int = 3):
        super().__init__(default_conv(channels, out_channels * scale * scale, kernel_size),
                         nn.PixelShuffle(scale))
