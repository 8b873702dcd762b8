"""PackLSTInputs (groklst.datasets.transforms.formatting): the inputs and data-sample contract
the data preprocessor and the Downscaler rely on."""
import pytest

from groklst.datasets.raster_tile_dataset import RasterTileDataset
from tests.fixtures.make_scene_fixture import make_scene_fixture


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scene'))
    info = make_scene_fixture(root)
    return root, info


def _dataset(root, split='train', scale=4, pipeline=(), **kw):
    return RasterTileDataset(data_root=root, split=split, scale=scale, pipeline=list(pipeline),
                             **kw)


def test_pack_outputs_contract(scene):
    root, _ = scene
    ds = _dataset(root, 'val', scale=4, pipeline=[
        dict(type='LoadLSTSample'), dict(type='PackLSTInputs')])
    out = ds[0]
    assert tuple(out['inputs']['lr'].shape) == (1, 8, 8)
    assert tuple(out['inputs']['guidance'].shape) == (3, 32, 32)
    s = out['data_samples']
    assert s.gt_mask.dtype.is_floating_point is False and tuple(s.gt_lst.shape) == (1, 32, 32)
    assert s.scale == 4 and s.sample_id
