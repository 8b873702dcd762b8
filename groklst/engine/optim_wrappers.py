"""Mixed precision on CPU: MMEngine's AmpOptimWrapper needs CUDA/NPU/MLU, so ``--amp`` on a CPU
machine uses bfloat16 autocast instead (no loss scaling needed for bf16)."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from groklst.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUBF16OptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under ``torch.autocast('cpu', dtype=torch.bfloat16)``."""

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), torch.autocast('cpu', dtype=torch.bfloat16):
            yield
