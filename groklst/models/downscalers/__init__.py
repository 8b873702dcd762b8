from .downscaler import Downscaler, check_lr_guidance, interpolate_lr

__all__ = ['Downscaler', 'check_lr_guidance', 'interpolate_lr']
