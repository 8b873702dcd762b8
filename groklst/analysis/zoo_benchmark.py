"""Benchmark a model zoo on one short schedule (``tools/analysis/benchmark_zoo.py``): the
suites, the schedule imposed on every config and the markdown table of the results.

Suites choose the default configs, classical baselines and output:

- ``sisr``: ``configs/sisr/*/*_x4_1xb4-*_landsat8-demo.py``; bicubic and bilinear;
  ``docs/benchmarks/sisr_x4_landsat8-demo.md``.
- ``gisr``: ``configs/gisr/*/*_x4_1xb4-*_landsat8-demo.py``, the MoCoLSK demo config and its
  ablations (``configs/mocolsk/demo-ablations/*.py``); bicubic and the per-scene classical
  sharpeners TsHARP, DisTrad, DMS and PixTransform-fit (those whose config exists);
  ``docs/benchmarks/gisr_x4_landsat8-demo.md``.

Config paths are relative to the repository root ``root`` (default: the checkout this package is
installed from, editable install).
"""
import glob
import os
import os.path as osp
import platform
from typing import Dict, List, Optional

from mmengine.config import Config

from groklst.analysis.complexity import format_params

#: The repository root of an editable install (configs/ beside groklst/).
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

DEFAULT_GLOB = 'configs/sisr/*/*_x4_1xb4-*_landsat8-demo.py'
CLASSIC = ['configs/classic/bicubic_x4_landsat8-demo.py',
           'configs/classic/bilinear_x4_landsat8-demo.py']
#: Default configs (globs), classical baselines (kept when the file exists), output and title.
SUITES = {
    'sisr': dict(globs=[DEFAULT_GLOB], classic=CLASSIC,
                 out='docs/benchmarks/sisr_x4_landsat8-demo.md',
                 title='SISR zoo on the Landsat-8 demo, x4 (120 m -> 30 m)'),
    'gisr': dict(globs=['configs/gisr/*/*_x4_1xb4-*_landsat8-demo.py',
                        'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py',
                        'configs/mocolsk/demo-ablations/*.py'],
                 # the (S, PPM) ablation row is the demo config itself: trained once
                 exclude=['configs/mocolsk/demo-ablations/'
                          'mocolsk-s-ppm_x4_1xb4-800it_landsat8-demo.py'],
                 classic=['configs/classic/bicubic_x4_landsat8-demo.py',
                          'configs/classic/tsharp_x4_landsat8-demo.py',
                          'configs/classic/distrad_x4_landsat8-demo.py',
                          'configs/classic/dms_x4_landsat8-demo.py',
                          'configs/classic/pixtransform-fit_x4_landsat8-demo.py'],
                 out='docs/benchmarks/gisr_x4_landsat8-demo.md',
                 title='GISR zoo on the Landsat-8 demo, x4 (120 m -> 30 m)'),
}
METRICS = ('RMSE', 'MAE', 'BIAS', 'CC', 'RSD')


def suite_configs(suite: str, classic: bool = True, root: str = REPO_ROOT) -> List[str]:
    """Configs of ``suite`` (paths relative to the repository root): its existing classical
    baselines first (unless ``classic`` is False), then the sorted matches of its globs less
    the suite's ``exclude`` list.

    Raises:
        KeyError: an unknown suite.
    """
    spec = SUITES[suite]
    found = []
    for pattern in spec['globs']:
        found += sorted(osp.relpath(c, root) for c in glob.glob(osp.join(root, pattern)))
    base = [c for c in spec['classic'] if osp.isfile(osp.join(root, c))] if classic else []
    skip = set(base) | set(spec.get('exclude', ()))
    return base + [c for c in dict.fromkeys(found) if c not in skip]


def per_scene_model(config: str, root: str = REPO_ROOT) -> Optional[str]:
    """Model type of ``config`` when it is a per-scene sharpener (fitted on each test tile,
    nothing to train, see ``groklst.models.classic.base``), else None."""
    from groklst.models.classic.base import PerSceneSharpener
    from groklst.registry import MODELS
    from groklst.utils import register_all_modules
    register_all_modules()
    model_type = Config.fromfile(osp.join(root, config)).model.get('type')
    cls = MODELS.get(model_type) if isinstance(model_type, str) else model_type
    return model_type if isinstance(cls, type) and issubclass(cls, PerSceneSharpener) else None


def schedule_options(config: str, iters: int, val_interval: int,
                     root: str = REPO_ROOT) -> List[str]:
    """``--cfg-options`` (``key=value`` strings) that impose the common short schedule on
    ``config``: ``iters`` iterations, validation and checkpoints every ``val_interval``, logging
    every ``min(20, iters // 10)`` (at least 1), the cosine schedule stretched to ``iters``."""
    cfg = Config.fromfile(osp.join(root, config))
    log_interval = max(1, min(20, iters // 10))
    opts = [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={val_interval}',
            f'default_hooks.checkpoint.interval={val_interval}',
            f'default_hooks.logger.interval={log_interval}',
            f'log_processor.window_size={log_interval}']
    sched = cfg.get('param_scheduler')
    scheds = sched if isinstance(sched, (list, tuple)) else [sched] if sched else []
    for i, s in enumerate(scheds):
        prefix = 'param_scheduler.' + (f'{i}.' if isinstance(sched, (list, tuple)) else '')
        if 'T_max' in s:
            opts.append(f'{prefix}T_max={iters}')
        if s.get('type') == 'CosineRestartLR' and 'periods' in s:
            opts.append(f'{prefix}periods=[{iters}]')
            opts.append(f'{prefix}restart_weights=[1]')
        if 'end' in s:
            opts.append(f'{prefix}end={iters}')
    return opts


def _fmt(v, spec: str) -> str:
    return '-' if v is None else format(v, spec)


def to_markdown(rows: List[Dict], suite: str, iters: int, val_interval: int,
                threads: int) -> str:
    """Markdown table of the rows of a ``suite`` run (``iters`` iterations, validation every
    ``val_interval``, ``threads`` torch threads); per-scene sharpeners get their test wall time
    (fit + predict on every test tile) in the time column of the gisr suite."""
    gisr = suite == 'gisr'
    lines = [
        f"# {SUITES[suite]['title']}", '',
        'Generated by `python tools/analysis/benchmark_zoo.py '
        + ('--suite gisr ' if gisr else '') + f'--iters {iters} '
        f'--val-interval {val_interval}`: every learned model trained for {iters} '
        'iterations with the schedule of its demo config (AdamW, cosine decay, batch 4, 64 px '
        'HR crops), checkpoint chosen on the val split (lowest RMSE), metrics on the test '
        'split (per-image means over valid pixels; RMSE/MAE/BIAS in K). FLOPs for one '
        '32 x 32 -> 128 x 128 tile (FlopCounterMode, 1 MAC = 2 FLOPs). Training time per '
        f'iteration on {os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}'
        f'), torch threads {threads}.', '']
    if gisr:
        lines += ['Classical per-scene sharpeners (TsHARP, DisTrad, DMS, PixTransform-fit) are '
                  'not trained: they fit every test tile at predict time on the raw (not '
                  'normalized) guidance; their time column is the wall time of the whole test '
                  'run (fit + predict, all test tiles, process start included).', '']
    lines += [
        '| model | config | params | GFLOPs | train s/iter | RMSE (K) | MAE (K) | BIAS (K) '
        '| CC | RSD |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for r in rows:
        m = r.get('metrics') or {}
        if 'error' in r:
            lines.append(f"| {r.get('generator', r['name'])} | `{r['config']}` | | | | "
                         f"failed: {r['error']} | | | | |")
            continue
        params = format_params(r['params'])
        flops = '-' if r.get('flops') is None else f"{r['flops'] / 1e9:.2f}"
        time_col = _fmt(r.get('train_s_per_iter'), '.3f')
        if gisr and r.get('per_scene'):
            time_col = f"test {_fmt(r.get('test_wall_s'), '.0f')} s"
        lines.append(
            f"| {r['generator']} | `{osp.basename(r['config'])}` | {params} | "
            f"{flops} | {time_col} | "
            + ' | '.join(_fmt(m.get(k), '.4f') for k in METRICS) + ' |')
    return '\n'.join(lines) + '\n'
