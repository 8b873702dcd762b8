"""High-level APIs: training and testing from a config (:mod:`.runner`) and scene-level
inference, GeoTIFF in, GeoTIFF out (tiled, overlap-blended, no-data aware)."""
from .geotiff import SceneCheckError, check_scene_inputs, downscale_geotiff
from .inference import (blend_weights_1d, downscale_scene, init_downscaler, model_scene_info,
                        tile_starts)
from .runner import build_runner, test, test_config, train, train_config

__all__ = ['init_downscaler', 'downscale_scene', 'downscale_geotiff', 'check_scene_inputs',
           'SceneCheckError', 'model_scene_info', 'tile_starts', 'blend_weights_1d',
           'build_runner', 'train', 'test', 'train_config', 'test_config']
