"""High-level APIs: training and testing from a config (:mod:`.runner`), scene-level inference,
GeoTIFF in, GeoTIFF out (downscaling tiled, overlap-blended, no-data aware; LST retrieval on
Level-1 scenes; the L1 -> LST -> downscaled LST pipeline), and self-supervised fitting on a
user's own coarse scenes (:mod:`.fit_scenes`)."""
from .fit_scenes import fit_scenes
from .geotiff import SceneCheckError, check_scene_inputs, downscale_geotiff
from .inference import (blend_weights_1d, downscale_scene, init_downscaler, model_scene_info,
                        tile_starts)
from .pipeline import PIPELINE_FILES, run_l1_pipeline
from .retrieval import retrieve_lst, retrieve_lst_geotiff
from .runner import build_runner, test, test_config, train, train_config

__all__ = ['init_downscaler', 'downscale_scene', 'downscale_geotiff', 'check_scene_inputs',
           'SceneCheckError', 'model_scene_info', 'tile_starts', 'blend_weights_1d',
           'retrieve_lst', 'retrieve_lst_geotiff', 'run_l1_pipeline', 'PIPELINE_FILES',
           'build_runner', 'train', 'test', 'train_config', 'test_config', 'fit_scenes']
