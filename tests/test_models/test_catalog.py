"""The model catalog behind tools/analysis/list_models.py (groklst.models.catalog)."""
import torch


def test_list_models_shows_classical_sharpeners():
    from groklst.models import catalog
    rows = {r['name']: r for r in catalog.list_models('classic')}
    for name in ('bicubic', 'TsHARP', 'DisTrad', 'DMS'):
        assert rows[name]['kind'] == 'classic' and rows[name]['scales'] == [2, 4, 8]
    assert rows['TsHARP']['params_x4'] == 0 and 'Agam' in rows['TsHARP']['paper']
    assert all(r['kind'] == 'classic' for r in rows.values())

    class NeedsK(torch.nn.Module):  # a guided generator whose K has no default
        def __init__(self, scale, guidance_channels):
            super().__init__()
            self.conv = torch.nn.Conv2d(guidance_channels, 1, 1)  # 10 · 1 + 1 parameters

    assert catalog.count_params(NeedsK, 4) == catalog.DEFAULT_GUIDANCE_CHANNELS + 1


def test_list_models_lists_the_retrieval_heads_with_their_papers():
    from groklst.models.catalog import list_models
    rows = {r['name']: r for r in list_models('retrieval')}
    assert set(rows) == {'MLPRetriever', 'PINNRetriever', 'DistillationRetriever',
                         'RoutedRetriever', 'TransformerRetriever', 'CNN1dRetriever'}
    assert 'Dai, Mao' in rows['DistillationRetriever']['paper']
    assert '2504.07481' in rows['PINNRetriever']['paper']
    assert all(r['scales'] == [] and r['params_x4'] is None for r in rows.values())
