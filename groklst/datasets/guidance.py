"""Guidance bands computed from Landsat-8 OLI: the ten bands of the Landsat-8 demo dataset.

The same function builds the guidance of the training dataset
(:mod:`groklst.datasets.converters.landsat8_demo`) and of scene inference
(:mod:`groklst.apis.pipeline`), so a model always sees the bands in the order and units it was
trained with.
"""
from __future__ import annotations

import numpy as np

from ..physics.emissivity import ndvi

__all__ = ['LANDSAT8_OLI_GUIDANCE', 'LANDSAT8_GUIDANCE_BANDS', 'LANDSAT8_GUIDANCE_UNITS',
           'normalized_difference', 'landsat8_guidance']

#: Guidance name -> OLI band of the seven reflectance guidance bands, in order.
LANDSAT8_OLI_GUIDANCE = (('coastal', 'B1'), ('blue', 'B2'), ('green', 'B3'), ('red', 'B4'),
                         ('nir', 'B5'), ('swir1', 'B6'), ('swir2', 'B7'))
#: Band names of :func:`landsat8_guidance`'s output, in order.
LANDSAT8_GUIDANCE_BANDS = [name for name, _ in LANDSAT8_OLI_GUIDANCE] + ['ndvi', 'ndwi', 'ndbi']
#: Units written to the GeoTIFF band metadata.
LANDSAT8_GUIDANCE_UNITS = ['reflectance'] * 7 + ['index'] * 3


def normalized_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(a - b) / (a + b)`` element-wise, NaN where ``a + b`` is not finite or not positive.

    Args:
        a, b: Reflectances of one shape (NaN allowed).

    Returns:
        float array of that shape, in [-1, 1] for non-negative inputs.
    """
    den = a + b
    ok = np.isfinite(den) & (den > 0)
    return np.where(ok, (a - b) / np.where(ok, den, 1.0), np.nan)


def landsat8_guidance(scene) -> np.ndarray:
    """The demo dataset's guidance (10, H, W) float32 of a Landsat-8 Level-1 scene.

    Bands (:data:`LANDSAT8_GUIDANCE_BANDS`): TOA reflectance of OLI B1-B7 (``rho'`` without
    sun-angle correction under the nominal calibration; NaN at DN fill 0), NDVI
    (:func:`groklst.physics.emissivity.ndvi`), NDWI = (green - nir) / (green + nir) (McFeeters
    1996, Int. J. Remote Sens. 17:1425-1432) and NDBI = (swir1 - nir) / (swir1 + nir) (Zha,
    Gao & Ni 2003, Int. J. Remote Sens. 24:583-594).

    Args:
        scene: :class:`groklst.fileio.landsat8.Landsat8L1Scene` with OLI bands B1-B7 read.

    Returns:
        float32 array (10, H, W).

    Raises:
        ValueError: an OLI band B1-B7 was not read.
    """
    refl = {name: scene.toa_reflectance(band) for name, band in LANDSAT8_OLI_GUIDANCE}
    bands = [refl[name] for name, _ in LANDSAT8_OLI_GUIDANCE] + [
        ndvi(refl['red'], refl['nir']),
        normalized_difference(refl['green'], refl['nir']),
        normalized_difference(refl['swir1'], refl['nir'])]
    return np.stack(bands).astype(np.float32)
