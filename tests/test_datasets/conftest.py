"""Fixtures shared by the dataset tests: the synthetic GeoTIFF scene of
``tests/fixtures/make_scene_fixture.py`` (one per test module)."""
import pytest

from tests.fixtures.make_scene_fixture import make_scene_fixture


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    """(root, info) of a freshly written synthetic scene (see ``make_scene_fixture``)."""
    root = str(tmp_path_factory.mktemp('scene'))
    info = make_scene_fixture(root)
    return root, info

