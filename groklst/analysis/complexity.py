"""Cost of a model: parameters, FLOPs and CPU latency of a forward pass, and the time of a
training step.

The model of a config is built through the registry (when the normalization statistics file of
the config does not exist yet, mean 0 / std 1 are used: they do not change the cost). FLOPs are
counted by ``torch.utils.flop_counter.FlopCounterMode`` (convolutions, matrix products,
attention; 1 multiply-accumulate = 2 FLOPs; element-wise ops are not counted). Latency is the
median wall time of forward passes in ``torch.no_grad`` after untimed warm-up ones, batch 1, on
the CPU with ``torch.get_num_threads()`` threads; the achieved rate is FLOPs / median latency.
"""
import os.path as osp
import statistics
import time
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.config import Config

from groklst.registry import MODELS
from groklst.utils import register_all_modules


def format_params(n: Optional[int]) -> str:
    """A parameter count for tables: ``'-'`` (unknown), ``'0'``, ``'12.3 K'`` below 100 000,
    else ``'1.234 M'``."""
    if n is None:
        return '-'
    if n == 0:
        return '0'
    return f'{n / 1e6:.3f} M' if n >= 1e5 else f'{n / 1e3:.1f} K'


def build_model(cfg: Config) -> torch.nn.Module:
    """Build ``cfg.model`` through the registry, without needing the statistics file."""
    register_all_modules()
    model_cfg = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else dict(cfg.model)
    norm = model_cfg.get('lst_norm') or {}
    if 'stats_file' in norm and not osp.isfile(norm['stats_file']):
        model_cfg['lst_norm'] = dict(mean=0.0, std=1.0)
    return MODELS.build(model_cfg).eval()


def make_inputs(model, hr_shape: Tuple[int, int]) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """LR (1, 1, H/s, W/s) in K around 300 and, for guided models, guidance (1, K, H, W).

    Raises:
        ValueError: if the HR size is not a multiple of the model's scale.
    """
    s = model.scale
    h, w = hr_shape
    if h % s or w % s:
        raise ValueError(f'HR size {h} x {w} is not a multiple of the scale {s}')
    lr = 300.0 + 5.0 * torch.randn(1, 1, h // s, w // s)
    guidance = None
    if model.uses_guidance:
        k = getattr(model.generator, 'guidance_channels', 10)
        guidance = torch.randn(1, k, h, w)
    return lr, guidance


def count_flops(model, lr, guidance) -> int:
    """FLOPs of one forward pass ``model.predict_lst(lr, guidance)`` (FlopCounterMode)."""
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model.predict_lst(lr, guidance)
    return int(counter.get_total_flops())


def time_forward(model, lr, guidance, repeats: int = 10, warmup: int = 2) -> float:
    """Median seconds of a forward pass ``model.predict_lst(lr, guidance)`` in
    ``torch.no_grad`` over ``repeats`` timed passes after ``warmup`` untimed ones."""
    times = []
    with torch.no_grad():
        for i in range(warmup + repeats):
            start = time.perf_counter()
            model.predict_lst(lr, guidance)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def analyse(config: str, hr_shape: Tuple[int, int] = (128, 128), repeats: int = 10,
            warmup: int = 2, cfg_options: Optional[dict] = None,
            latency: bool = True) -> Dict:
    """Complexity of the model of ``config`` (a path) for an HR output of ``hr_shape`` (H, W):
    LR input (1, 1, H/s, W/s), guidance (1, K, H, W) for guided models; see the module docstring.

    Returns:
        dict with ``params``, ``flops``, ``latency_s`` (None when ``latency`` is False),
        ``gflops_per_s``, ``threads``, the shapes and the generator name.
    """
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = build_model(cfg)
    lr, guidance = make_inputs(model, hr_shape)
    params = sum(p.numel() for p in model.parameters())
    flops = count_flops(model, lr, guidance)
    lat = time_forward(model, lr, guidance, repeats, warmup) if latency else None
    gen = model.generator
    return dict(config=config, generator=type(gen).__name__ if gen is not None else None,
                scale=model.scale, lr_shape=list(lr.shape), hr_shape=list(hr_shape),
                guidance_shape=list(guidance.shape) if guidance is not None else None,
                params=params, flops=flops, latency_s=lat,
                gflops_per_s=(flops / lat / 1e9) if lat else None,
                threads=torch.get_num_threads(), repeats=repeats)


def time_train_steps(model: torch.nn.Module, lr: torch.Tensor, guidance: torch.Tensor,
                     target: torch.Tensor, iters: int = 5, warmup: int = 1,
                     learning_rate: float = 1e-4) -> List[float]:
    """Seconds of each of ``iters`` training steps of a generator (forward
    ``model(lr, guidance)``, L1 loss to ``target`` (B, 1, H, W), backward, Adam step) after
    ``warmup`` untimed steps. The model is put in train mode and its weights are updated."""
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

    def step() -> float:
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.l1_loss(model(lr, guidance), target)
        loss.backward()
        optimizer.step()
        return time.perf_counter() - start

    for _ in range(warmup):
        step()
    return [step() for _ in range(iters)]
