from .downscaler import Downscaler

__all__ = ['Downscaler']
