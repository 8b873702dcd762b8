"""Dataset statistics (groklst.datasets.stats): masked block means (Wald's protocol with a valid
mask) on hand-checked arrays; the statistics fitted on the training split only."""
import numpy as np
import pytest
import torch

from groklst.datasets.stats import fit_stats, masked_block_mean
from groklst.models.layers.resample import block_mean
from tests.fixtures.make_groklst_fixture import make_groklst_fixture


def test_masked_block_mean_by_hand():
    hr = np.arange(16, dtype=np.float32).reshape(4, 4) + 300
    valid = np.ones((4, 4), bool)
    valid[0, 0] = False          # block (0, 0): 3 of 4 valid
    valid[2:4, 2] = False        # block (1, 1): 2 of 4 valid
    hr[0, 0] = np.nan            # ignored where invalid
    lr = masked_block_mean(hr, valid, 2, 0.75)
    assert lr.dtype == np.float32 and lr.shape == (2, 2)
    assert lr[0, 0] == pytest.approx((301 + 304 + 305) / 3)
    assert lr[0, 1] == pytest.approx((302 + 303 + 306 + 307) / 4)
    assert np.isnan(lr[1, 1])    # 2 / 4 < 0.75
    assert masked_block_mean(hr, valid, 2, 0.5)[1, 1] == pytest.approx((311 + 315) / 2)
    # fully valid: the same numbers as the unmasked block mean of the resampling helpers
    full = np.random.default_rng(0).normal(300, 5, (8, 8)).astype(np.float32)
    ref = block_mean(torch.from_numpy(full)[None, None].double(), 4)[0, 0].numpy()
    np.testing.assert_allclose(masked_block_mean(full, np.ones((8, 8), bool), 4, 1.0), ref,
                               rtol=0, atol=1e-4)
    with pytest.raises(ValueError, match='not a multiple of 3'):
        masked_block_mean(hr, valid, 3, 0.5)
    with pytest.raises(ValueError, match=r'threshold must be in \(0, 1\]'):
        masked_block_mean(hr, valid, 2, 0.0)
    with pytest.raises(ValueError, match='one \\(H, W\\) shape'):
        masked_block_mean(hr, valid[:2], 2, 0.5)


@pytest.fixture(scope='module')
def groklst(tmp_path_factory):
    root = tmp_path_factory.mktemp('groklst')
    info = make_groklst_fixture(root, n=6, hr=32)
    return str(root), info


def test_stats_tool_fits_train_split_only(groklst, tmp_path):
    root, info = groklst
    stats = fit_stats(dict(type='GrokLSTDataset', data_root=root, split='train', scale=4))
    train = [info['names'][i] for i in info['splits']['train']]
    hr = np.concatenate([info['hr_lst'][n].ravel() for n in train])
    assert stats['lst']['mean'] == pytest.approx(hr.mean(), abs=1e-3)
    assert stats['lst']['std'] == pytest.approx(hr.std(ddof=1), rel=1e-4)
    nd = np.concatenate([info['guidance'][n]['ndvi'].ravel() for n in train])
    assert stats['guidance']['ndvi']['mean'] == pytest.approx(nd.mean(), abs=1e-5)
    everything = np.concatenate([v.ravel() for v in info['hr_lst'].values()])
    assert stats['lst']['mean'] != pytest.approx(everything.mean(), abs=1e-3)
    with pytest.raises(ValueError, match='training split'):
        fit_stats(dict(type='GrokLSTDataset', data_root=root, split='test', scale=4))
