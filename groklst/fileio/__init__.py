"""Raster and .mat file I/O (GeoTIFF via rasterio, GrokLST .mat via scipy.io)."""
from .mat_io import GROKLST_GUIDANCE_BANDS, read_mat_guidance, read_mat_lst
from .raster import read_raster, write_raster

__all__ = ['GROKLST_GUIDANCE_BANDS', 'read_mat_guidance', 'read_mat_lst', 'read_raster',
           'write_raster']
