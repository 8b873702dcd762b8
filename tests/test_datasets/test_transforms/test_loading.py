"""Loading transforms (groklst.datasets.transforms.loading): LoadLSTSample, NaN filling."""
import numpy as np

from groklst.datasets.transforms import LoadLSTSample


def test_npz_samples_load(tmp_path):
    lr = (300 + np.random.rand(4, 4)).astype(np.float64)
    gt = np.repeat(np.repeat(lr, 2, 0), 2, 1).astype(np.int16)  # non-float: cast, not crash
    np.savez(tmp_path / 'lr.npz', lst=lr)
    np.savez(tmp_path / 'gt.npz', lst=gt)
    np.savez(tmp_path / 'g.npz', nir=np.ones((8, 8)), red=np.zeros((8, 8)))
    r = LoadLSTSample()(dict(lr_path=str(tmp_path / 'lr.npz'), gt_path=str(tmp_path / 'gt.npz'),
                             guidance_path=str(tmp_path / 'g.npz'), guidance_bands=['red', 'nir'],
                             scale=2, lr_format='npz'))
    assert r['lr_lst'].dtype == np.float32 and r['gt_lst'].dtype == np.float32
    assert r['gt_lst'].shape == (1, 8, 8) and r['guidance'].shape == (2, 8, 8)
    np.testing.assert_array_equal(r['guidance'][:, 0, 0], [0, 1])
    assert r['gt_mask'].all() and r['lr_mask'].all()
