"""PackLSTInputs (groklst.datasets.transforms.formatting): the inputs and data-sample contract
the data preprocessor and the Downscaler rely on."""

from tests.fixtures.make_scene_fixture import raster_dataset as _dataset


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
