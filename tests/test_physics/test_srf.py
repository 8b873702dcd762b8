"""Sensors and SRFs: offline pyrsr data, documented assumptions."""
import numpy as np
import pytest

from groklst.physics.srf import (GF5_VIMI_TIR, MODIS_TERRA_TIR, SDGSAT1_TIS,
                                 SENSORS, flat_top_srf, get_sensor)


def test_all_sensors_load_with_expected_bands():
    expected = {
        'landsat8_tirs': ['B10', 'B11'],
        'aster_tir': ['B10', 'B11', 'B12', 'B13', 'B14'],
        'modis_terra_tir': ['B31', 'B32'],
        'gf5_vimi_tir': ['B9', 'B10', 'B11', 'B12'],
        'sdgsat1_tis': ['B1', 'B2', 'B3'],
    }
    assert set(SENSORS) == set(expected)
    for name, bands in expected.items():
        sensor = get_sensor(name)
        assert sensor.band_names == bands
        for b in sensor.bands:
            assert np.all(np.diff(b.wavelength) > 0)
            assert b.response.max() == pytest.approx(1.0)
            assert b.nedt > 0 and b.source
    with pytest.raises(KeyError):
        get_sensor('landsat9')


@pytest.mark.parametrize('sensor,band,lo,hi', [
    ('landsat8_tirs', 'B10', 10.85, 10.95),
    ('landsat8_tirs', 'B11', 11.95, 12.05),
    ('aster_tir', 'B10', 8.25, 8.32),
    ('aster_tir', 'B13', 10.60, 10.70),
    ('aster_tir', 'B14', 11.25, 11.33),
])
def test_pyrsr_effective_wavelengths(sensor, band, lo, hi):
    assert lo < get_sensor(sensor).band(band).effective_wavelength < hi


def test_modis_centres_follow_effective_wavenumbers():
    sensor = get_sensor('modis_terra_tir')
    for name, spec in MODIS_TERRA_TIR.items():
        lam = sensor.band(name).effective_wavelength
        assert lam == pytest.approx(1e4 / spec['cwn'], abs=2e-3)


def test_assumed_flat_top_srfs():
    for table, name in ((GF5_VIMI_TIR, 'gf5_vimi_tir'),
                        (SDGSAT1_TIS, 'sdgsat1_tis')):
        sensor = get_sensor(name)
        for band, (lo, hi) in table.items():
            b = sensor.band(band)
            assert b.effective_wavelength == pytest.approx((lo + hi) / 2,
                                                           abs=1e-3)
            assert np.interp(lo, b.wavelength, b.response) == pytest.approx(
                0.5, abs=1e-6)
            assert 'ASSUMED' in b.source
    centres = [get_sensor('gf5_vimi_tir').band(b).effective_wavelength
               for b in ('B9', 'B10', 'B11', 'B12')]
    np.testing.assert_allclose(centres, [8.20, 8.63, 10.80, 11.95],
                               atol=6e-3)
    with pytest.raises(ValueError):
        flat_top_srf(11.0, 10.0)


def test_band_average_of_constant_spectrum():
    band = get_sensor('aster_tir').band('B12')
    lam = np.linspace(7.0, 14.0, 50)
    assert band.band_average(lam, np.full(50, 0.93)) == pytest.approx(0.93)
    with pytest.raises(ValueError, match='not covered'):
        band.band_average(np.linspace(9.5, 14, 10), np.ones(10))
