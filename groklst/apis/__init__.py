"""Scene-level inference API: GeoTIFF in, GeoTIFF out (tiled, overlap-blended, no-data aware)."""
from .geotiff import SceneCheckError, check_scene_inputs, downscale_geotiff
from .inference import (blend_weights_1d, downscale_scene, init_downscaler, model_scene_info,
                        tile_starts)

__all__ = ['init_downscaler', 'downscale_scene', 'downscale_geotiff', 'check_scene_inputs',
           'SceneCheckError', 'model_scene_info', 'tile_starts', 'blend_weights_1d']
