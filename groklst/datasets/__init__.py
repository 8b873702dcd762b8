"""Datasets and transforms (see CONTRACT.md for the keys they exchange)."""
from . import transforms  # noqa: F401
from .groklst_dataset import GrokLSTDataset
from .raster_tile_dataset import RasterTileDataset

__all__ = ['GrokLSTDataset', 'RasterTileDataset']
