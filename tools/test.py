"""Test a groklst model on the test split of its config.

    python tools/test.py CONFIG [CHECKPOINT] [--out metrics.json] [--show-dir DIR]
                         [--work-dir DIR] [--cfg-options k=v ...] [--launcher ...]

Models without trainable parameters (bicubic, bilinear) need no checkpoint. Metrics (K, valid
pixels only): RMSE, MAE, BIAS, CC, RSD per image then averaged, and pooled over all pixels.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from groklst.utils import init_cpu_distributed, prepare_cfg_for_device  # noqa: E402
from groklst.utils import register_all_modules, shutdown_distributed  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Test a groklst model')
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?', default=None,
                   help='checkpoint file; omit for non-learned models (bicubic, bilinear)')
    p.add_argument('--out', help='write the metrics to this JSON file')
    p.add_argument('--show-dir', help='write LR | prediction | reference | error PNG panels')
    p.add_argument('--max-show', type=int, default=None, help='at most this many panels')
    p.add_argument('--work-dir')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    init_cpu_distributed(args.launcher)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.resume = False
    # A test run needs no training state; keep it from touching schedules or optimizers.
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler',
                'val_dataloader', 'val_cfg', 'val_evaluator'):
        cfg.pop(key, None)
    if args.show_dir:
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='LSTVisualizationHook', out_dir=args.show_dir, max_samples=args.max_show)]
    prepare_cfg_for_device(cfg)
    runner = Runner.from_cfg(cfg)
    n_params = sum(p.numel() for p in runner.model.parameters() if p.requires_grad)
    if n_params and not args.checkpoint:
        raise SystemExit(f'{args.config} has {n_params} trainable parameters: give a CHECKPOINT')
    metrics = runner.test()
    if args.out and runner.rank == 0:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump({k: float(v) for k, v in metrics.items()}, f, indent=2)
    shutdown_distributed()
    return metrics


if __name__ == '__main__':
    main()
