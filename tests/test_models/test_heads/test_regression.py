"""The regression head of the retrieval networks (groklst.models.heads.regression)."""
import torch
import torch.nn as nn

from groklst.models.heads import RegressionHead
from groklst.registry import MODELS
from groklst.utils import register_all_modules

register_all_modules()


def test_regression_head_is_a_linear_layer_with_its_initialisation():
    torch.manual_seed(5)
    head = RegressionHead(7, 2)
    torch.manual_seed(5)
    ref = nn.Linear(7, 2)
    assert isinstance(head, nn.Linear) and list(head.state_dict()) == ['weight', 'bias']
    torch.testing.assert_close(head.weight, ref.weight, atol=0, rtol=0)
    x = torch.randn(3, 7)
    torch.testing.assert_close(head(x), x @ ref.weight.T + ref.bias)
    retriever = MODELS.build(dict(type='MLPRetriever', input_names=['bt:0', 'wvc'],
                                  target_names=['lst', 'lse:0']))
    assert isinstance(retriever.net.head, RegressionHead) and retriever.net.head.out_features == 2
