from .downscaler import Downscaler, interpolate_lr

__all__ = ['Downscaler', 'interpolate_lr']
