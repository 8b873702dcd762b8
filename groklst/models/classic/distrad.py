"""DisTrad: disaggregation of radiometric surface temperature with a quadratic NDVI regression."""
from typing import Optional, Sequence, Union

import torch

from groklst.models.classic.tsharp import NDVIRegressionSharpener
from groklst.registry import MODELS


@MODELS.register_module()
class DisTrad(NDVIRegressionSharpener):
    """DisTrad: LST = a0 + a1·NDVI + a2·NDVI² fitted on homogeneous LR pixels, residual added.

    Kustas, W. P., Norman, J. M., Anderson, M. C., French, A. N. (2003). "Estimating
    subpixel surface temperatures and energy fluxes from the vegetation index-radiometric
    temperature relationship". Remote Sensing of Environment 85:429-440.

    Per scene (formulas of :class:`NDVIRegressionSharpener` with φ = (1, NDVI, NDVI²)):

        NDVI_LR = mean of NDVI_HR over each s × s block,  CV = std / |mean| of that block
        (a0, a1, a2) = least squares of LST_LR on (1, NDVI_LR, NDVI_LR²) over the valid LR
                       pixels with the lowest CV (``homogeneous_fraction`` of them; the paper
                       keeps the most uniform coarse pixels)
        ΔT_LR   = LST_LR − (a0 + a1 · NDVI_LR + a2 · NDVI_LR²)
        LST_HR  = a0 + a1 · NDVI_HR + a2 · NDVI_HR² + ΔT_LR (upsampled nearest)

    Inputs: LR LST (B, 1, h, w) in K, guidance (B, K, s·h, s·w) with physical NDVI; output
    (B, 1, s·h, s·w) in K.

    Args:
        scale: scale factor s.
        ndvi_band: NDVI band name or index (default 'ndvi').
        guidance_bands: band names in channel order, or None (from the data samples).
        homogeneous_fraction: fraction (0, 1] of usable LR pixels, lowest NDVI CV first, kept
            for the fit (default 0.25).
        residual: 'nearest' (default, as the paper), 'bicubic' or 'none'.
        min_samples: fewest LR samples for the fit (at least 3).

    Raises:
        ValueError: see :class:`NDVIRegressionSharpener`.
    """

    num_coefficients = 3
    paper = ('Kustas et al., "Estimating subpixel surface temperatures and energy fluxes from '
             'the vegetation index-radiometric temperature relationship" (DisTrad), Remote Sens. '
             'Environ. 2003')

    def __init__(self, scale: int, ndvi_band: Union[int, str] = 'ndvi',
                 guidance_bands: Optional[Sequence[str]] = None,
                 homogeneous_fraction: float = 0.25, residual: str = 'nearest',
                 min_samples: int = 6, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None, consistency: Optional[str] = None):
        super().__init__(scale=scale, ndvi_band=ndvi_band, guidance_bands=guidance_bands,
                         homogeneous_fraction=homogeneous_fraction, residual=residual,
                         min_samples=min_samples, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg, consistency=consistency)

    def design(self, ndvi: torch.Tensor) -> torch.Tensor:
        """φ = (1, NDVI, NDVI²): (...) → (..., 3)."""
        return torch.stack([torch.ones_like(ndvi), ndvi, ndvi * ndvi], dim=-1)
