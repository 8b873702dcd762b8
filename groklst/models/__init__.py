"""Models: downscaling wrappers, generators (backbones), shared layers, losses, classic baselines."""
from . import backbones, classic, data_preprocessors, downscalers, losses  # noqa: F401
