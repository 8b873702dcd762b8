"""PMBA-Net (Ye et al., IEEE TIP 2020): one class whose stages and projections follow the
scale."""
import pytest

from groklst.registry import MODELS
from tests.test_models.test_backbones.small_settings import build_small


def test_pmba_one_class_stages_grow_with_scale():
    nets = {s: build_small('PMBANet', s) for s in (2, 4, 8)}
    assert len({type(n) for n in nets.values()}) == 1
    assert [nets[s].num_stages for s in (2, 4, 8)] == [2, 3, 4]
    assert [len(nets[s].stages) for s in (2, 4, 8)] == [2, 3, 4]
    # the projection kernels follow DBPN's (kernel, stride) per scale
    for s, (k, stride) in {2: (6, 2), 4: (8, 4), 8: (12, 8)}.items():
        conv = nets[s].down[0][0]
        assert conv.kernel_size == (k, k) and conv.stride == (stride, stride)
    # stage i sees the LR features of all previous stages: (i + 1) * F input channels
    first = [st.multi_view.dilated[0][0].in_channels for st in nets[8].stages]
    assert first == [8, 16, 24, 32]
    assert build_small('PMBANet', 4).__class__ is MODELS.get('PMBANet')
    with pytest.raises(ValueError, match='num_stages'):
        MODELS.build(dict(type='PMBANet', scale=2, guidance_channels=3, num_stages=0))
