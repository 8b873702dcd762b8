"""Scene-level inference API: GeoTIFF in, GeoTIFF out (tiled, overlap-blended)."""
