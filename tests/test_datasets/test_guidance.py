"""The ten Landsat-8 guidance bands of the demo dataset and the scene pipeline."""
import numpy as np
import pytest
from affine import Affine

from groklst.datasets.guidance import LANDSAT8_GUIDANCE_BANDS, landsat8_guidance
from groklst.fileio.landsat8 import Landsat8L1Scene


def test_landsat8_guidance_bands_by_hand():
    dn = {b: np.full((2, 2), v, np.uint16) for b, v in
          zip(('B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'),
              (8000, 9000, 12500, 10000, 20000, 17500, 15000))}
    dn['B3'][0, 1] = 0  # fill in green
    scene = Landsat8L1Scene(dn, dict(height=2, width=2, transform=Affine.identity()))
    g = landsat8_guidance(scene)
    assert g.shape == (10, 2, 2) and g.dtype == np.float32 and len(LANDSAT8_GUIDANCE_BANDS) == 10
    rho = {'green': 0.15, 'red': 0.1, 'nir': 0.3, 'swir1': 0.25}  # 2e-5 DN - 0.1
    assert g[3, 0, 0] == pytest.approx(rho['red']) and g[4, 0, 0] == pytest.approx(rho['nir'])
    assert g[7, 0, 0] == pytest.approx(0.5)                       # NDVI
    assert g[8, 0, 0] == pytest.approx((0.15 - 0.3) / 0.45)       # NDWI (McFeeters)
    assert g[9, 0, 0] == pytest.approx((0.25 - 0.3) / 0.55)       # NDBI (Zha et al.)
    assert np.isnan(g[2, 0, 1]) and np.isnan(g[8, 0, 1]) and np.isfinite(g[7, 0, 1])
    with pytest.raises(ValueError, match='band B1 was not read'):
        landsat8_guidance(Landsat8L1Scene({'B4': dn['B4']}, dict(height=2, width=2)))
