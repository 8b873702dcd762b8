from .downscaler import Downscaler
from .gdi import DetailMLP, GuidedDetailDownscaler, band_limit_sigma_px

__all__ = ['Downscaler', 'GuidedDetailDownscaler', 'DetailMLP', 'band_limit_sigma_px']
