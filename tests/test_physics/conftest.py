import pytest

from groklst.physics.atmosphere import load_lut
from groklst.physics.emissivity import load_emissivity_table


@pytest.fixture(scope='session')
def lut():
    """The committed LOWTRAN atmospheric LUT."""
    return load_lut()


@pytest.fixture(scope='session')
def emis():
    """The committed emissivity table (ECOSTRESS spectra convolved with the sensors' SRFs)."""
    return load_emissivity_table()
