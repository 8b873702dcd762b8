"""Fixtures shared by the retrieval-model tests."""
import pytest


@pytest.fixture(scope='module')
def small_sim(tmp_path_factory):
    """(simulation settings, cache folder) of a small GF-5 VIMI simulation over six classes."""
    cache = str(tmp_path_factory.mktemp('sim'))
    cfg = dict(sensor='gf5_vimi_tir', n_samples=3000, seed=0,
               surface_classes=('manmade', 'npv', 'rock', 'soil', 'vegetation', 'water'))
    return cfg, cache
