"""LSTDataPreprocessor (groklst.models.data_preprocessors): stacks the samples, refuses mixed
shapes, passes missing guidance."""
import pytest
import torch

from groklst.models.data_preprocessors import LSTDataPreprocessor
from groklst.structures import LSTDataSample


def test_preprocessor_stacks_and_rejects_mixed_shapes():
    pre = LSTDataPreprocessor()
    data = dict(inputs=dict(lr=[torch.zeros(1, 4, 4)] * 2, guidance=[torch.zeros(3, 16, 16)] * 2),
                data_samples=[LSTDataSample(), LSTDataSample()])
    out = pre(data)
    assert tuple(out['inputs']['lr'].shape) == (2, 1, 4, 4)
    assert tuple(out['inputs']['guidance'].shape) == (2, 3, 16, 16)
    data['inputs']['lr'] = [torch.zeros(1, 4, 4), torch.zeros(1, 5, 5)]
    with pytest.raises(ValueError, match='different shapes'):
        pre(data)
    data = dict(inputs=dict(lr=[torch.zeros(1, 4, 4)], guidance=[None]), data_samples=None)
    assert pre(data)['inputs']['guidance'] is None
