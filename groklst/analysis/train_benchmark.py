"""Training-step benchmark (issue 17 §2): the full train step of a config's model (data
preprocessor, forward, loss, backward, optimizer step) on a synthetic batch of the config's
shapes, and the real train dataloader's samples/s.

What each figure measures:

* ``step_s``: median wall time of one ``model.train_step(batch, optim_wrapper)`` over ``iters``
  timed steps after ``warmup`` untimed ones (CUDA synchronized around each step);
  ``it_per_s = 1 / step_s``, ``samples_per_s = batch / step_s``.
* ``flops_per_step``: FLOPs of one train step (forward and backward) counted by
  ``torch.utils.flop_counter.FlopCounterMode`` (convolutions, matrix products, attention;
  1 multiply-accumulate = 2 FLOPs; element-wise ops and the optimizer are not counted), as in
  :mod:`groklst.analysis.complexity`.
* ``peak_flops``: FLOP/s of a square matrix product on the same device and in the same
  precision (float32 - TF32 where torch allows it on CUDA -, bfloat16 or float16), measured in
  the same run; ``fraction_of_peak = flops_per_step / step_s / peak_flops``.
* ``peak_mem_bytes``: ``torch.cuda.max_memory_allocated`` on CUDA; on the CPU the rise of the
  process RSS over the timed steps (sampled every 5 ms).

Precision: ``amp='bf16'`` trains under ``AmpOptimWrapper(dtype='bfloat16')`` on CUDA and
``CPUBF16OptimWrapper`` on the CPU; ``amp='fp16'`` (CUDA only) under ``AmpOptimWrapper`` with
dynamic loss scaling. ``channels_last`` moves the model and the batch to that memory format;
``compile`` wraps the model's ``forward`` in ``torch.compile``.
"""
import copy
import statistics
import time
from typing import Dict, List, Optional

import torch
from mmengine.config import Config, ConfigDict

from groklst.analysis.complexity import build_model
from groklst.analysis.inference_benchmark import PeakRSS, matmul_peak, sync_device

AMP_DTYPES = {None: torch.float32, 'fp16': torch.float16, 'bf16': torch.bfloat16}


def train_shapes(cfg: Config, model) -> Dict:
    """Batch size, HR patch (H, W) and guidance bands K of ``cfg``'s training: the train
    dataloader's ``batch_size``, the ``gt_patch_size`` of a ``PairedRandomCrop`` in its pipeline
    (128, the GrokLST patch, without one) and the model's guidance bands
    (:func:`groklst.apis.inference.model_scene_info`)."""
    loader = cfg.get('train_dataloader') or {}
    size = 128
    pipeline = (loader.get('dataset') or {}).get('pipeline') or []
    for step in pipeline:
        if step.get('type') == 'PairedRandomCrop':
            size = int(step.get('gt_patch_size', size))
    from groklst.apis.inference import model_scene_info
    info = model_scene_info(model)  # K from the generator, or from a model without one
    k = info['guidance_channels'] if info['uses_guidance'] else None
    return dict(batch=int(loader.get('batch_size', 1)), hr_shape=(size, size), k=k)


def synthetic_batch(scale: int, batch: int, hr_shape, k: Optional[int], seed: int = 0) -> dict:
    """A training batch as the dataloader yields it: ``inputs`` (LR (1, h, w) around 290 K,
    guidance (K, H, W) standard normal) and ``data_samples`` with ``gt_lst`` and an all-valid
    ``gt_mask`` (1, H, W).

    Raises:
        ValueError: if the HR shape is not a multiple of ``scale``.
    """
    from groklst.structures import LSTDataSample
    h, w = hr_shape
    if h % scale or w % scale:
        raise ValueError(f'HR patch {h} x {w} is not a multiple of the scale {scale}')
    gen = torch.Generator().manual_seed(seed)
    lrs, guids, samples = [], [], []
    for _ in range(batch):
        lrs.append(290 + 5 * torch.randn(1, h // scale, w // scale, generator=gen))
        if k:
            guids.append(torch.randn(k, h, w, generator=gen))
        s = LSTDataSample(metainfo=dict(scale=scale))
        s.gt_lst = 290 + 5 * torch.randn(1, h, w, generator=gen)
        s.gt_mask = torch.ones(1, h, w, dtype=torch.bool)
        samples.append(s)
    inputs = dict(lr=lrs, guidance=guids) if k else dict(lr=lrs)
    return dict(inputs=inputs, data_samples=samples)


def build_optim_wrapper(cfg: Config, model, device: str, amp: Optional[str]):
    """The config's optimizer in the wrapper of the precision asked (see the module docstring).

    Raises:
        ValueError: ``amp`` not None/'fp16'/'bf16', or 'fp16' on the CPU.
    """
    from mmengine.optim import build_optim_wrapper as mm_build
    if amp not in AMP_DTYPES:
        raise ValueError(f"amp must be None, 'fp16' or 'bf16', found {amp!r}")
    ow = copy.deepcopy(cfg.get('optim_wrapper') or dict(optimizer=dict(type='Adam', lr=1e-4)))
    ow = ow.to_dict() if hasattr(ow, 'to_dict') else dict(ow)
    if amp is not None and not device.startswith('cuda'):
        if amp == 'fp16':
            raise ValueError('--amp fp16 needs CUDA; on the CPU use --amp bf16')
        ow['type'] = 'groklst.CPUBF16OptimWrapper'
    elif amp is not None:
        ow.update(type='AmpOptimWrapper', dtype='float16' if amp == 'fp16' else 'bfloat16')
        if amp == 'fp16':
            ow.setdefault('loss_scale', 'dynamic')
    else:
        ow.setdefault('type', 'OptimWrapper')
    return mm_build(model, ConfigDict(ow))


def benchmark_train(config: str, device: str = 'cpu', amp: Optional[str] = None,
                    channels_last: bool = False, compile: bool = False,
                    batch: Optional[int] = None, iters: int = 5, warmup: int = 2,
                    hr_size: Optional[int] = None, peak_n: Optional[int] = None) -> Dict:
    """Time the train step of ``config``'s model (see the module docstring).

    Args:
        config: config file path.
        device: 'cpu' or 'cuda[:i]'.
        amp: None (float32), 'fp16' (CUDA) or 'bf16'.
        channels_last, compile: speed options (see the module docstring).
        batch: batch size (default: the config's train batch size).
        iters, warmup: timed and untimed steps (>= 1 and >= 0).
        hr_size: HR patch side (default: the config's crop, else 128).
        peak_n: matrix side of the peak measurement (default: see :func:`matmul_peak`).

    Returns:
        dict: ``config``, ``generator``, ``device``, ``amp``, ``channels_last``, ``compile``,
        ``batch``, ``hr_shape``, ``threads``, ``iters``, ``step_s``, ``it_per_s``,
        ``samples_per_s``, ``flops_per_step``, ``peak_flops``, ``fraction_of_peak``,
        ``peak_mem_bytes``, ``params``.

    Raises:
        ValueError: bad ``iters``/``warmup``/``batch``, ``amp`` (see
            :func:`build_optim_wrapper`), CUDA asked without a CUDA device.
    """
    from torch.utils.flop_counter import FlopCounterMode
    from groklst.utils import register_all_modules
    if iters < 1 or warmup < 0:
        raise ValueError(f'need iters >= 1 and warmup >= 0, found {iters} and {warmup}')
    if device.startswith('cuda') and not torch.cuda.is_available():
        raise ValueError(f'device {device!r} asked but torch sees no CUDA device')
    register_all_modules()
    cfg = Config.fromfile(config)
    model = build_model(cfg).to(device).train()
    shapes = train_shapes(cfg, model)
    batch = shapes['batch'] if batch is None else int(batch)
    if batch < 1:
        raise ValueError(f'batch must be >= 1, found {batch}')
    hr_shape = (hr_size, hr_size) if hr_size else shapes['hr_shape']
    data = synthetic_batch(model.scale, batch, hr_shape, shapes['k'])
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    wrapper = build_optim_wrapper(cfg, model, device, amp)
    if compile:
        model.forward = torch.compile(model.forward)

    def step():
        sync_device(device)
        start = time.perf_counter()
        model.train_step(copy.copy(data), wrapper)
        sync_device(device)
        return time.perf_counter() - start

    counter = FlopCounterMode(display=False)
    with counter:
        model.train_step(copy.copy(data), wrapper)
    flops = int(counter.get_total_flops())
    for _ in range(warmup):
        step()
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
        times = [step() for _ in range(iters)]
        peak_mem = int(torch.cuda.max_memory_allocated())
    else:
        with PeakRSS() as rss:
            times = [step() for _ in range(iters)]
        peak_mem = int(rss.peak - rss.base)
    step_s = statistics.median(times)
    peak = matmul_peak(device, AMP_DTYPES[amp], peak_n)
    gen = model.generator
    return dict(config=config, generator=type(gen).__name__ if gen is not None else None,
                device=device, amp=amp, channels_last=channels_last, compile=compile,
                batch=batch, hr_shape=list(hr_shape), threads=torch.get_num_threads(),
                iters=iters, step_s=step_s, it_per_s=1.0 / step_s,
                samples_per_s=batch / step_s, flops_per_step=flops, peak_flops=peak,
                fraction_of_peak=flops / step_s / peak, peak_mem_bytes=peak_mem,
                params=sum(p.numel() for p in model.parameters()))


def dataloader_throughput(config: str, n_batches: int = 20, warmup: int = 2) -> Dict:
    """Samples/s of ``config``'s real train dataloader (its workers, pipeline and batch size)
    over ``n_batches`` batches after ``warmup`` ones.

    Returns:
        dict: ``config``, ``batch``, ``num_workers``, ``samples_per_s``.

    Raises:
        FileNotFoundError: the dataset's files are missing (make the data first).
    """
    from mmengine.runner import Runner

    from groklst.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config)
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    it = iter(loader)
    for _ in range(warmup):
        next(it)
    start = time.perf_counter()
    n = 0
    for _ in range(n_batches):
        n += len(next(it)['data_samples'])
    elapsed = time.perf_counter() - start
    return dict(config=config, batch=loader_cfg.get('batch_size'),
                num_workers=loader_cfg.get('num_workers', 0), samples_per_s=n / elapsed)


def to_markdown(records: List[Dict]) -> str:
    """A markdown table of :func:`benchmark_train` records."""
    head = ('| config | device | precision | batch | HR | it/s | samples/s | GFLOP/step | '
            '% of matmul peak | peak mem (MiB) |\n|---|---|---|---|---|---|---|---|---|---|')
    rows = []
    for r in records:
        prec = (r['amp'] or 'fp32') + (' +CL' if r['channels_last'] else '') + \
            (' +compile' if r['compile'] else '')
        rows.append(f"| {r['config']} | {r['device']} | {prec} | {r['batch']} | "
                    f"{r['hr_shape'][0]} | {r['it_per_s']:.3f} | {r['samples_per_s']:.3f} | "
                    f"{r['flops_per_step'] / 1e9:.2f} | {100 * r['fraction_of_peak']:.1f} | "
                    f"{r['peak_mem_bytes'] / 2**20:.0f} |")
    return '\n'.join([head] + rows)
