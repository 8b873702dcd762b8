"""Single-channel LST (groklst.physics.algorithms.single_channel): exact psi functions from the
atmosphere and Jiménez-Muñoz's psi fit on LOWTRAN simulations."""
import numpy as np
import pytest

from groklst.physics.algorithms.single_channel import (psi_from_atmosphere, psi_functions,
                                                       single_channel, single_channel_jm)
from groklst.physics.srf import get_sensor
from tests.fixtures.landsat8_simulation import simulate_l8


def test_single_channel_exact_psi_and_jm2014(lut, emis):
    sensor = get_sensor('landsat8_tirs')
    band = sensor.band('B10')
    t10, _, e, w, ts, p = simulate_l8(lut, emis, 5000, 3.0, seed=2)
    lsen = band.radiance(t10)
    psi = psi_from_atmosphere(lut['landsat8_tirs__tau'][p, 0, 0],
                              lut['landsat8_tirs__lup'][p, 0, 0],
                              lut['landsat8_tirs__ldown'][p, 0])
    exact = single_channel(lsen, e[:, 0], psi, band.effective_wavelength,
                           t10)
    # with exact atmospheric functions only the Planck linearisation remains
    assert np.sqrt(np.mean((exact - ts)**2)) < 0.3
    fits = single_channel_jm(lsen, e[:, 0], w, brightness_temperature=t10)
    # JM2014 psi fits vs LOWTRAN: documented -1..-2 K bias at w 1-3
    assert np.sqrt(np.mean((fits - ts)**2)) < 3.0
    psi_w = psi_functions(np.array([0.0, 2.0]))
    np.testing.assert_allclose(psi_w[:, 0], [1.01523, 0.20324, -0.27514])
    with pytest.raises(ValueError):
        psi_functions(9.0)
