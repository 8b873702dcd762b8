"""Train a groklst model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT] | --load-from CKPT] [--amp]
                                 [--cfg-options k=v ...] [--launcher none|pytorch|slurm]
                                 [--debug]

Checkpoints are selected on the val split (best RMSE); the test split is only read by
tools/test.py. ``--resume`` without a path continues from ``WORK_DIR/last_checkpoint``.
The work is done by :func:`groklst.apis.runner.train`. A mistake in the config, the overrides,
the data or the checkpoint is one error line and exit status 2 (``--debug``: the traceback).
"""
import argparse
import os
import sys

from mmengine.config import DictAction

from groklst.apis.runner import LAUNCHERS, USER_ERRORS, format_user_error, train


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Train a groklst model')
    p.add_argument('config', help='config file path')
    p.add_argument('--work-dir', help='folder for logs and checkpoints')
    start = p.add_mutually_exclusive_group()
    start.add_argument('--resume', nargs='?', type=str, const='auto',
                       help='resume from CKPT, or from the last checkpoint of the work dir')
    start.add_argument('--load-from', help='initialise the weights from CKPT (new schedule)')
    p.add_argument('--amp', action='store_true',
                   help='mixed precision (fp16 AMP on CUDA, bf16 autocast on CPU)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config entries, e.g. train_cfg.max_iters=100')
    p.add_argument('--launcher', choices=LAUNCHERS, default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    p.add_argument('--debug', action='store_true',
                   help='show the traceback of configuration / data / checkpoint errors')
    args = p.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        train(args.config, work_dir=args.work_dir, cfg_options=args.cfg_options,
              resume=args.resume, load_from=args.load_from, amp=args.amp, launcher=args.launcher)
    except USER_ERRORS as err:
        if args.debug:
            raise
        print(f'train: error: {format_user_error(err)}', file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
