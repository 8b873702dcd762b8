"""MLPRetriever (groklst.models.retrievers.mlp_retriever): modes, normalization from the
training statistics, gradients, through the retrieval data preprocessor."""
import pytest
import torch

from groklst.datasets.retrieval_dataset import RetrievalDataset
from groklst.models.retrievers.base_retriever import RetrievalDataPreprocessor
from groklst.models.retrievers.mlp_retriever import MLPRetriever


SIM = dict(sensor='landsat8_tirs', n_samples=3000, seed=3)


INPUTS = ['bt:0', 'wvc', 'lse:0', 'view_angle']


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp('sim'))


def _ds(cache, **kw):
    args = dict(simulation=SIM, inputs=INPUTS, targets=['lst'], cache_dir=cache)
    args.update(kw)
    return RetrievalDataset(**args)


def test_mlp_retriever_modes_and_normalization(cache):
    ds = _ds(cache, split='train', targets=['lst', 'lse:0'])
    model = MLPRetriever(INPUTS, ['lst', 'lse:0'], hidden_sizes=(16, 8), act_cfg='GELU',
                         dropout=0.1, norm=dict(dataset=dict(
                             type='RetrievalDataset', simulation=SIM, inputs=INPUTS,
                             targets=['lst', 'lse:0'], cache_dir=cache)))
    assert model.target_mean[0].item() == pytest.approx(ds.norm_stats['targets']['lst']['mean'])
    batch = model.data_preprocessor(dict(inputs=[ds[i]['inputs'] for i in range(8)],
                                         data_samples=[ds[i]['data_samples'] for i in range(8)]))
    assert batch['inputs'].shape == (8, 4)
    # a zero output layer predicts exactly the train means (de-normalization in K)
    with torch.no_grad():
        model.net.head.weight.zero_()
        model.net.head.bias.zero_()
    model.eval()
    out = model(batch['inputs'], mode='tensor')
    torch.testing.assert_close(out, model.target_mean.expand(8, 2))
    model.train()
    torch.nn.init.normal_(model.net.head.weight, std=0.1)
    loss = model(**batch, mode='loss')['loss']
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    model.eval()
    samples = model(**batch, mode='predict')
    assert samples[0].pred_target.shape == (2,)
    with pytest.raises(ValueError, match=r'expects inputs \(B, 4\)'):
        model(torch.zeros(3, 5), mode='tensor')
    with pytest.raises(ValueError, match='Unknown mode'):
        model(batch['inputs'], mode='x')
    with pytest.raises(ValueError, match='lack inputs'):
        MLPRetriever(['ndvi'], norm=ds.norm_stats)
    with pytest.raises(ValueError, match='one F per batch'):
        RetrievalDataPreprocessor()(dict(inputs=[torch.zeros(3), torch.zeros(4)]))
