"""The SFTL experiment (groklst.models.retrievers.experiments.sftl) end to end on a small
simulation."""
import numpy as np
import pytest

from groklst.models.retrievers.sftl import sftl_features

FEATURES = sftl_features()


@pytest.fixture(scope='module')
def small_sim(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp('sim'))
    cfg = dict(sensor='gf5_vimi_tir', n_samples=3000, seed=0,
               surface_classes=('manmade', 'npv', 'rock', 'soil', 'vegetation', 'water'))
    return cfg, cache


def test_experiment_runs_end_to_end(small_sim):
    from groklst.models.retrievers.experiments.sftl import SFTLSettings, run_sftl
    _, cache = small_sim
    rows, text = run_sftl(SFTLSettings(n=3000, source_samples=400, target_samples=60,
                                       target_val=20, pretrain_steps=20, ft_steps=10, seeds=[0],
                                       archs=['dnn'], no_ablation=True, cache_dir=cache))
    labels = {k[1] for k in rows if k[0] == 'DNN'}
    assert labels == {'none (pre-trained on S)', 'Full', 'Head-only', 'Gradual', 'Adapter',
                      'LoRA'}
    assert ('Split-window, fitted on S', '-') in rows
    assert ('LightGBM (A only)', 'direct') in rows and ('RandomForest (A only)', 'direct') in rows
    for runs in rows.values():
        for r in runs:
            assert all(np.isfinite(r[s]['RMSE']) and r[s]['RMSE'] > 0
                       for s in ('S_test', 'A_test', 'B_test'))
    assert '| DNN | LoRA |' in text and 'Runtime:' in text
