"""Train a groklst model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                                 [--cfg-options k=v ...] [--launcher none|pytorch|slurm]

Checkpoints are selected on the val split (best RMSE); the test split is only read by
tools/test.py. ``--resume`` without a path continues from ``WORK_DIR/last_checkpoint``.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from groklst.utils import init_cpu_distributed, prepare_cfg_for_device  # noqa: E402
from groklst.utils import register_all_modules, shutdown_distributed  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Train a groklst model')
    p.add_argument('config', help='config file path')
    p.add_argument('--work-dir', help='folder for logs and checkpoints')
    p.add_argument('--resume', nargs='?', type=str, const='auto',
                   help='resume from CKPT, or from the last checkpoint of the work dir')
    p.add_argument('--amp', action='store_true',
                   help='mixed precision (fp16 AMP on CUDA, bf16 autocast on CPU)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config entries, e.g. train_cfg.max_iters=100')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_cfg(args) -> Config:
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        import torch
        if torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:
            cfg.optim_wrapper.type = 'CPUBF16OptimWrapper'
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume:
        cfg.resume, cfg.load_from = True, args.resume
    prepare_cfg_for_device(cfg)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    init_cpu_distributed(args.launcher)
    runner = Runner.from_cfg(build_cfg(args))
    runner.train()
    shutdown_distributed()


if __name__ == '__main__':
    main()
