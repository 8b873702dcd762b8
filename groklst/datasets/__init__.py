"""Datasets and transforms (see CONTRACT.md for the keys they exchange)."""
import importlib
import pkgutil

from . import transforms  # noqa: F401
from .groklst_dataset import GrokLSTDataset
from .raster_tile_dataset import RasterTileDataset

__all__ = ['GrokLSTDataset', 'RasterTileDataset']

# Modules added later (one per dataset/metric) register themselves when imported here.
for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f'{__name__}.{_m}')
