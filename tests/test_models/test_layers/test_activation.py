"""Activation configs (groklst.models.layers.activation)."""
import pytest
import torch.nn as nn

from groklst.models.layers import build_activation


def test_build_activation():
    assert isinstance(build_activation('GELU'), nn.GELU)
    leaky = build_activation(dict(type='LeakyReLU', negative_slope=0.2))
    assert leaky.negative_slope == 0.2
    prelu = nn.PReLU()
    assert build_activation(prelu) is not prelu
    with pytest.raises(ValueError):
        build_activation('NotAnActivation')
    with pytest.raises(ValueError):
        build_activation(dict(negative_slope=0.1))
