"""Identity neck: no fusion, the guidance features pass (the baseline of Dai et al.)."""
import torch

from groklst.registry import MODELS

from .base import BaseFusionNeck

__all__ = ['IdentityFusion']


@MODELS.register_module()
class IdentityFusion(BaseFusionNeck):
    """Identity baseline of Dai et al. (IEEE TGRS 2025): no fusion module, ``gui`` passes.

    Has no parameters.

    Args:
        dim: channels C of both inputs.

    Shapes:
        lst (B, C, H, W), gui (B, C, H, W) -> gui (B, C, H, W).

    Raises:
        ValueError: when ``lst`` and ``gui`` shapes differ or their channel count is not C.
    """

    paper = ('identity baseline of Dai et al., "GrokLST: Towards High-Resolution Benchmark '
             'and Toolkit for Land Surface Temperature Downscaling", IEEE TGRS 2025')

    def forward(self, lst: torch.Tensor, gui: torch.Tensor) -> torch.Tensor:
        """See the class docstring."""
        self.check_pair(lst, gui)
        return gui
