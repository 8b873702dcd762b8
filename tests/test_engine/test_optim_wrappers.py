"""Optimizer wrappers (groklst.engine.optim_wrappers): bf16 autocast on the CPU."""
import torch


def test_bf16_wrapper_autocasts_forward():
    from groklst.engine import CPUBF16OptimWrapper
    model = torch.nn.Linear(4, 4)
    wrapper = CPUBF16OptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with wrapper.optim_context(model):
        assert model(torch.ones(2, 4)).dtype == torch.bfloat16
    assert model(torch.ones(2, 4)).dtype == torch.float32
