"""The AK-KD experiment (groklst.models.retrievers.experiments.akkd): regional small sets hold
their validation out of the n labels."""
import pytest
import torch


def test_regional_small_sets_hold_their_validation_out_of_the_n_labels(tmp_path, monkeypatch):
    import functools

    from groklst.models.retrievers.experiments import akkd
    split = functools.partial(akkd.Split, cache_dir=str(tmp_path))
    monkeypatch.setattr(akkd, 'Split', split)
    full = split('train', ['lst'], profile_domain='humid_tropics', max_samples=50)
    # fraction 0.2: 40 training + the last 10 of the same 50 labels as validation
    settings = akkd.AKKDSettings(small_val_fraction=0.2)
    tr, va, te = akkd.regional_sets('humid_tropics', 'lst', 50, settings)
    assert (len(tr), len(va)) == (40, 10)
    assert torch.equal(torch.cat([tr.x, va.x]), full.x)
    assert torch.equal(torch.cat([tr.y, va.y]), full.y)
    assert tr.norm == full.norm and len(te) > 100
    # default: the whole regional val split selects the weights
    tr0, va0, _ = akkd.regional_sets('humid_tropics', 'lst', 50, akkd.AKKDSettings())
    assert torch.equal(tr0.x, full.x) and len(va0) > 50
    with pytest.raises(ValueError, match='leaves no training sample of the 50'):
        akkd.regional_sets('humid_tropics', 'lst', 50,
                           akkd.AKKDSettings(small_val_fraction=1.0))
