"""Temperature-emissivity separation (Gillespie et al. 1998; groklst.physics.algorithms.tes):
within the ATBD accuracy on MMD-consistent spectra, and on library soils and water."""
import numpy as np

from groklst.physics.algorithms.tes import mmd_emin, tes
from groklst.physics.srf import get_sensor


def _aster_sky():
    # a mid-latitude-like sky: 60 % of a 255 K blackbody per band
    aster = get_sensor('aster_tir')
    return aster, np.array([0.6 * b.radiance(255.0) for b in aster.bands])


def test_tes_on_mmd_consistent_spectra_within_atbd_accuracy():
    aster, sky = _aster_sky()
    rng = np.random.default_rng(0)
    beta = rng.uniform(0.97, 1.03, (400, 5))
    beta /= beta.mean(-1, keepdims=True)
    mmd = beta.max(-1) - beta.min(-1)
    eps = beta * (mmd_emin(mmd) / beta.min(-1))[:, None]
    eps = eps[eps.max(-1) <= 1.0]
    ts = rng.uniform(280, 320, len(eps))
    bb = np.stack([b.radiance(ts) for b in aster.bands], -1)
    ls = eps * bb + (1 - eps) * sky
    t_hat, e_hat = tes(ls, sky, aster)
    assert np.abs(t_hat - ts).max() < 1.5
    assert np.abs(e_hat - eps).max() < 0.015


def test_tes_on_library_soils_and_water(emis):
    aster, sky = _aster_sky()
    cls = emis['classes']
    sel = np.isin(cls, ['soil', 'water'])
    eps = emis['aster_tir'][sel].astype(float)
    ts = np.random.default_rng(1).uniform(280, 320, len(eps))
    bb = np.stack([b.radiance(ts) for b in aster.bands], -1)
    t_hat, e_hat = tes(eps * bb + (1 - eps) * sky, sky, aster)
    assert np.sqrt(np.mean((t_hat - ts)**2)) < 1.5
    assert np.sqrt(np.mean((e_hat - eps)**2)) < 0.015
