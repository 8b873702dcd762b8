"""Raster and .mat file I/O (GeoTIFF via rasterio, GrokLST .mat via scipy.io)."""
