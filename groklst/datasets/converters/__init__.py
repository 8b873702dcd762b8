"""Dataset builders: source imagery -> a dataset folder (rasters, tile index, statistics).

``tools/dataset_converters/*.py`` are their command lines.
"""
from .landsat8_demo import build_landsat8_demo
from .selfsup_benchmark import build_selfsup_benchmark

__all__ = ['build_landsat8_demo', 'build_selfsup_benchmark']
