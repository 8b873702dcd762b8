"""LST retrieval on images: Landsat-8/9 Level-1 scenes and rasters of any sensor, classical
algorithms and learned retrievers, by windows.

* :mod:`.classical`: split window / single channel on a whole Level-1 scene in memory
  (:func:`retrieve_lst`, :func:`retrieve_lst_geotiff`), the quality-band mask
  (:func:`scene_mask`);
* :mod:`.inputs`: image inputs (:class:`Landsat8L1Inputs`, :class:`RasterInputs`) with grid,
  unit and range checks;
* :mod:`.methods`: per-pixel methods (classical, and learned from any retrieval config and
  checkpoint, with their training domain and QA bits);
* :mod:`.weights`: the shipped pretrained weights (``data/weights/retrieval/``);
* :mod:`.engine`: the windowed run writing LST (+ LSE) and QA GeoTIFFs (:func:`retrieve_image`);
* :mod:`.compare`: learned vs classical retrievals on one scene (consistency statistics).
"""
from .classical import (CLASSICAL_METHODS, RETRIEVAL_BANDS, resolve_scene_dir, retrieve_lst,
                        retrieve_lst_geotiff, scene_mask)
from .engine import (DEFAULT_WINDOW, LANDSAT_LEARNED_METHODS, RETRIEVAL_METHODS, build_method,
                     qa_path_for, retrieval_windows, retrieve_arrays, retrieve_image,
                     retrieve_scene_arrays)
from .inputs import (INPUT_RANGES, ImageInputs, Landsat8L1Inputs, RasterInputs,
                     check_input_range, parse_value_or_path)
from .methods import (QA_BITS, QA_OUT_OF_DOMAIN, LearnedMethod, SingleChannelMethod,
                      SplitWindowMethod, learned_method_from_config, training_domain)
from .weights import (SHIPPED_METHODS, evaluate_test_split, export_weights, load_manifest,
                      load_shipped_method, weights_dir)

__all__ = ['CLASSICAL_METHODS', 'RETRIEVAL_BANDS', 'RETRIEVAL_METHODS', 'LANDSAT_LEARNED_METHODS',
           'SHIPPED_METHODS', 'DEFAULT_WINDOW', 'INPUT_RANGES', 'QA_BITS', 'QA_OUT_OF_DOMAIN',
           'resolve_scene_dir', 'retrieve_lst', 'retrieve_lst_geotiff', 'scene_mask',
           'build_method', 'qa_path_for', 'retrieval_windows', 'retrieve_arrays',
           'retrieve_image', 'retrieve_scene_arrays', 'ImageInputs', 'Landsat8L1Inputs',
           'RasterInputs', 'check_input_range', 'parse_value_or_path', 'LearnedMethod',
           'SingleChannelMethod', 'SplitWindowMethod', 'learned_method_from_config',
           'training_domain', 'evaluate_test_split', 'export_weights', 'load_manifest',
           'load_shipped_method', 'weights_dir']
