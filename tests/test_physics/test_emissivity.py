"""Emissivity (groklst.physics.emissivity): the ECOSTRESS parser (every shared spectrum), the
committed table, the NDVI-threshold emissivity and NDVI by hand."""
import collections
import os
import os.path as osp

import numpy as np
import pytest

from groklst.physics.emissivity import (LANDSAT8_EMISSIVITY, SPECTRUM_CLASSES, band_emissivities,
                                        fractional_vegetation_cover, landsat8_emissivity, ndvi,
                                        ndvi_threshold_emissivity,
                                        load_emissivity_table,
                                        read_ecostress_library,
                                        read_ecostress_spectrum)
from groklst.physics.srf import SENSORS, get_sensor
from tests.fixtures.paths import ROOT

LIBRARY = osp.join(ROOT, '..', 'shared', 'data', 'emissivity',
                   'ecostress_tir')
# README of ../shared/data: 1063 spectra by class.
EXPECTED = {'manmade': 50, 'npv': 62, 'rock': 386, 'soil': 69,
            'vegetation': 487, 'water': 9}

needs_library = pytest.mark.skipif(not osp.isdir(LIBRARY),
                                   reason='shared ECOSTRESS spectra absent')


@pytest.fixture(scope='module')
def spectra():
    return read_ecostress_library(LIBRARY)


@needs_library
def test_reads_every_shared_spectrum(spectra):
    n_files = len([n for n in os.listdir(LIBRARY) if n.endswith('.txt')])
    assert n_files == 1063
    assert len(spectra) == n_files
    assert collections.Counter(s.cls for s in spectra) == EXPECTED
    for s in spectra:
        assert s.wavelength[0] < 8.0 and s.wavelength[-1] > 13.8
        assert np.all(np.diff(s.wavelength) > 0)
        assert np.all((s.emissivity >= 0) & (s.emissivity <= 1))
    spellings = collections.Counter(s.header['y units'] for s in spectra)
    assert len(spellings) >= 3  # percent / percentage / Reflectence ...


def test_parser_tolerates_header_variants(tmp_path):
    text = ('Name: Test sample\r\nType:  Soil\r\nClass: Entisol\r\n'
            'X Units:  Wavelength (micrometer)\r\n'
            'Y Units:Reflectence (percentage)\r\n'
            'Description\xe9 no colon here\r\nNumber of X Values: 4\r\n'
            '\r\n14.0\t 5.0\r\n12.0\t 4.0\r\n10.0\t 3.0\r\n10.0\t 5.0\r\n')
    path = tmp_path / 'soil.x.spectrum.txt'
    path.write_bytes(text.encode('latin-1'))
    s = read_ecostress_spectrum(str(path))
    assert s.cls == 'soil' and s.name == 'Test sample'
    np.testing.assert_allclose(s.wavelength, [10.0, 12.0, 14.0])
    np.testing.assert_allclose(s.reflectance, [0.04, 0.04, 0.05])
    np.testing.assert_allclose(s.emissivity, [0.96, 0.96, 0.95])
    assert s.header['_unparsed']
    bad = tmp_path / 'rock.bad.txt'
    bad.write_text('Name: x\nType: rock\nX Units: Wavelength (micrometers)\n'
                   'Y Units: Reflectance (percent)\nNumber of X Values: 3\n'
                   '\n10 1\n11 2\n')
    with pytest.raises(ValueError, match='declares 3'):
        read_ecostress_spectrum(str(bad))
    nm = tmp_path / 'water.nm.txt'
    nm.write_text('Type: Water\nX Units: Wavelength (nanometers)\n'
                  'Y Units: Reflectance (percent)\n\n11000 2\n10000 1\n')
    np.testing.assert_allclose(read_ecostress_spectrum(str(nm)).wavelength,
                               [10.0, 11.0])


@needs_library
def test_committed_table_matches_fresh_computation(spectra):
    table = load_emissivity_table()
    assert len(table['names']) == len(spectra)
    assert collections.Counter(table['classes'].tolist()) == EXPECTED
    for name in SENSORS:
        sensor = get_sensor(name)
        assert table[f'{name}__bands'].tolist() == sensor.band_names
        idx = np.arange(0, len(spectra), 97)
        fresh = band_emissivities([spectra[i] for i in idx], sensor)
        np.testing.assert_allclose(table[name][idx], fresh, atol=1e-6)


def test_committed_table_class_statistics():
    table = load_emissivity_table()
    cls = table['classes']
    e = table['landsat8_tirs']
    for c in SPECTRUM_CLASSES:
        assert (cls == c).sum() > 0
    # soils and water are high-emissivity in the 10-12.5 um window
    assert 0.96 < np.median(e[cls == 'soil', 0]) < 0.99
    assert 0.98 < np.median(e[cls == 'water', 0]) < 1.0


def test_emissivity_thresholds():
    b10, b11 = LANDSAT8_EMISSIVITY['B10'], LANDSAT8_EMISSIVITY['B11']
    values = np.array([-0.1, 0.1, 0.35, 0.6, np.nan])
    e10, e11 = landsat8_emissivity(values)
    # NDVI < 0: water
    assert e10[0] == 0.991 and e11[0] == 0.986
    # 0 <= NDVI < 0.2: bare soil
    assert e10[1] == b10['soil'] == 0.9668
    assert e11[1] == b11['soil'] == 0.9747
    # NDVI > 0.5: full vegetation
    assert e10[3] == b10['vegetation'] == 0.9863
    assert e11[3] == b11['vegetation'] == 0.9896
    # 0.2 <= NDVI <= 0.5: Pv = ((0.35 - 0.2) / 0.3)**2 = 0.25, plus cavity
    pv = 0.25
    hand10 = 0.9863 * pv + 0.9668 * (1 - pv) + (1 - 0.9668) * 0.9863 * \
        0.55 * (1 - pv)
    hand11 = 0.9896 * pv + 0.9747 * (1 - pv) + (1 - 0.9747) * 0.9896 * \
        0.55 * (1 - pv)
    assert e10[2] == pytest.approx(hand10, abs=1e-12)
    assert e11[2] == pytest.approx(hand11, abs=1e-12)
    assert np.isnan(e10[4]) and np.isnan(e11[4])


def test_emissivity_threshold_edges_and_errors():
    eps = ndvi_threshold_emissivity(np.array([0.0, 0.2, 0.5]), 0.96, 0.99,
                                    0.99)
    assert eps[0] == 0.96  # NDVI = 0 is soil, not water
    assert eps[1] == pytest.approx(0.96 + 0.04 * 0.99 * 0.55)  # Pv = 0
    assert eps[2] == pytest.approx(0.99)  # Pv = 1, continuous with veg
    no_cavity = ndvi_threshold_emissivity(0.2, 0.96, 0.99, 0.99,
                                          cavity_factor=0.0)
    assert float(no_cavity) == pytest.approx(0.96)
    np.testing.assert_allclose(
        fractional_vegetation_cover(np.array([-1.0, 0.2, 0.35, 0.5, 0.9])),
        [0.0, 0.0, 0.25, 1.0, 1.0])
    with pytest.raises(ValueError, match='emis_soil'):
        ndvi_threshold_emissivity(0.3, 1.5, 0.99, 0.99)
    with pytest.raises(ValueError, match='thresholds'):
        ndvi_threshold_emissivity(0.3, 0.96, 0.99, 0.99, ndvi_soil=0.6)


def test_ndvi():
    out = ndvi(np.array([0.1, 0.0, 0.2]), np.array([0.3, 0.0, 0.2]))
    assert out[0] == pytest.approx(0.5) and np.isnan(out[1]) and out[2] == 0
    with pytest.raises(ValueError, match='shapes'):
        ndvi(np.zeros(2), np.zeros(3))
