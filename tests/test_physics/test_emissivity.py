"""ECOSTRESS parser (every shared spectrum) and the committed table."""
import collections
import os
import os.path as osp

import numpy as np
import pytest

from groklst.physics.emissivity import (SPECTRUM_CLASSES, band_emissivities,
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
