"""Bad-input validation: one clear ValueError per case, via one validator."""
import numpy as np
import pytest

from groklst.physics import lowtran_levels
from groklst.physics.algorithms.mono_window import mono_window
from groklst.physics.algorithms.single_channel import (psi_functions,
                                                       single_channel,
                                                       single_channel_jm)
from groklst.physics.atmosphere import water_vapour_column
from groklst.physics.rte import rte_forward, rte_inverse
from groklst.physics.srf import get_sensor
from groklst.physics.validation import check_interval, check_range
from groklst.simulation import SimulationConfig, simulate


def test_check_range_message_names_range_and_value():
    with pytest.raises(ValueError, match=r'f: x must be in \[0, 1\] K; '
                                         r'got 2\.5'):
        check_range([0.5, 2.5], 'x', 'f', low=0, high=1, unit='K')
    with pytest.raises(ValueError, match='finite'):
        check_range([np.nan], 'x', 'f', low=0)
    out = check_range([np.nan, 0.5], 'x', 'f', low=0, allow_nan=True)
    assert out.dtype == np.float64
    with pytest.raises(ValueError, match=r'must be in > 0; got 0\.0'):
        check_range(0.0, 'x', 'f', low=0, low_open=True)
    assert check_interval((1, 2), 'r', 'f') == (1.0, 2.0)
    with pytest.raises(ValueError, match='reversed'):
        check_interval((2, 1), 'r', 'f')


# --- single channel -------------------------------------------------------
_PSI = np.array([[1.1], [-0.3], [0.2]])


@pytest.mark.parametrize('radiance', [0.0, -1.0])
def test_single_channel_rejects_non_positive_radiance(radiance):
    with pytest.raises(ValueError, match='sensor_radiance'):
        single_channel(np.array([radiance]), np.array([0.97]), _PSI, 10.9)


@pytest.mark.parametrize('lam', [0.0, -10.9, np.nan])
def test_single_channel_rejects_bad_wavelength(lam):
    with pytest.raises(ValueError, match='wavelength_um'):
        single_channel(np.array([9.0]), np.array([0.97]), _PSI, lam)


def test_single_channel_rejects_nan_water_vapour():
    with pytest.raises(ValueError, match=r'wvc must be finite.*got nan'):
        psi_functions(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match='wvc'):
        single_channel_jm(np.array([9.0]), np.array([0.97]),
                          np.array([np.nan]))


# --- RTE ----------------------------------------------------------------
@pytest.fixture(scope='module')
def b10():
    return get_sensor('landsat8_tirs').band('B10').planck


@pytest.mark.parametrize('func', [rte_forward, rte_inverse])
@pytest.mark.parametrize('kwargs, name', [
    ({'l_up': -0.1}, 'l_up'), ({'l_down': -0.1}, 'l_down'),
    ({'tau': 0.0}, 'tau'), ({'tau': 1.2}, 'tau')])
def test_rte_rejects_bad_atmosphere(b10, func, kwargs, name):
    args = {'emissivity': 0.97, 'tau': 0.8, 'l_up': 1.0, 'l_down': 1.5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=f'{func.__name__}: .*{name}'):
        func(b10, 9.0 if func is rte_inverse else 300.0, **args)


# --- mono window ----------------------------------------------------------
@pytest.mark.parametrize('bt, ta, name', [(27.0, 290.0, 'bt'),
                                          (300.0, 17.0, 'ta')])
def test_mono_window_rejects_celsius(bt, ta, name):
    with pytest.raises(ValueError, match=f'{name} must be in >= 150 K.*'
                                         'Celsius'):
        mono_window(bt, 0.97, 0.85, ta)


# --- simulator ----------------------------------------------------------
@pytest.mark.parametrize('kwargs, match', [
    ({'nedt': (-0.1, 0.4)}, 'nedt'),
    ({'view_angle_range': (40.0, 10.0)}, 'view_angle_range is reversed'),
    ({'ts_offset_range': (15.0, -5.0)}, 'ts_offset_range is reversed')])
def test_simulator_rejects_bad_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate(SimulationConfig(n_samples=10, **kwargs))


# --- atmosphere -----------------------------------------------------------
def test_water_vapour_column_shape_mismatch():
    with pytest.raises(ValueError, match='shape'):
        water_vapour_column(np.array([1000.0, 500.0, 100.0]),
                            np.array([1e4, 1e3]))
    w = water_vapour_column(np.array([1000.0, 500.0]),
                            np.array([1e4, 1e4]))
    assert w > 0


# --- LOWTRAN build hash (no compilation) -----------------------------------
def test_lowtran_build_is_rebuilt_when_source_hash_differs(tmp_path,
                                                           monkeypatch):
    built = tmp_path / (lowtran_levels.MODULE_NAME + '.cpython-test.so')
    monkeypatch.setattr(lowtran_levels, '_find_built',
                        lambda d: str(built) if built.exists() else None)
    monkeypatch.setattr(lowtran_levels, 'patched_source',
                        lambda: 'C     patched source v1\n')
    calls = []

    def fake_build(build_dir, force=False):  # records, writes the module
        calls.append(build_dir)
        built.write_text('binary')
        with open(lowtran_levels._hash_path(build_dir), 'w') as f:
            f.write(lowtran_levels.source_hash() + '\n')
        return str(built)

    d = str(tmp_path)
    assert not lowtran_levels.build_is_current(d)          # nothing built
    built.write_text('old binary')                          # no hash stored
    assert not lowtran_levels.build_is_current(d)
    fake_build(d)
    assert lowtran_levels.build_is_current(d)
    monkeypatch.setattr(lowtran_levels, 'patched_source',
                        lambda: 'C     patched source v2\n')
    assert not lowtran_levels.build_is_current(d)           # stale
    monkeypatch.setattr(lowtran_levels, '_MODULE', None)
    with pytest.raises(ImportError, match='stale'):
        lowtran_levels.load_lowtran_levels(d, build=False)
    # build_lowtran_levels reuses a current build without compiling
    fake_build(d)
    monkeypatch.setattr(lowtran_levels.shutil, 'which', lambda _: None)
    assert lowtran_levels.build_lowtran_levels(d) == str(built)
    # ... and tries to rebuild (here: no gfortran) when the hash differs
    monkeypatch.setattr(lowtran_levels, 'patched_source',
                        lambda: 'C     patched source v3\n')
    with pytest.raises(RuntimeError, match='gfortran'):
        lowtran_levels.build_lowtran_levels(d)
