"""GrokLST .mat tiles through the real pipeline and the statistics tool."""
import json

import numpy as np
import pytest
import torch

from groklst.datasets.stats import fit_stats
from groklst.models.downscalers import Downscaler
from groklst.registry import DATASETS
from tests.fixtures.make_groklst_fixture import make_groklst_fixture


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


@pytest.mark.parametrize('scale', [2, 4, 8])
def test_pipeline_pairs_and_packs(groklst, tmp_path, scale):
    root, info = groklst
    stats = fit_stats(dict(type='GrokLSTDataset', data_root=root, split='train', scale=scale))
    stats_file = str(tmp_path / 'stats.json')
    with open(stats_file, 'w') as f:
        json.dump(stats, f)
    ds = DATASETS.build(dict(
        type='GrokLSTDataset', data_root=root, split='test', scale=scale,
        pipeline=[dict(type='LoadLSTSample'), dict(type='NormalizeGuidance', stats_file=stats_file),
                  dict(type='PackLSTInputs')]))
    model = Downscaler(scale=scale, residual='bicubic', lst_norm=dict(stats_file=stats_file))
    for i in range(len(ds)):
        out = ds[i]
        lr, g = out['inputs']['lr'], out['inputs']['guidance']
        s = out['data_samples']
        assert tuple(lr.shape) == (1, 32 // scale, 32 // scale) and tuple(g.shape) == (10, 32, 32)
        assert lr.dtype == torch.float32 and g.dtype == torch.float32
        block = s.gt_lst.reshape(1, 32 // scale, scale, 32 // scale, scale).mean(dim=(2, 4))
        torch.testing.assert_close(lr, block, atol=1e-3, rtol=0)
        pred = model(dict(lr=lr[None], guidance=g[None]), mode='tensor')
        assert pred.shape == (1, 1, 32, 32) and torch.isfinite(pred).all()
