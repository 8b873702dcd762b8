"""Test a groklst model on the test split of its config.

    python tools/test.py CONFIG [CHECKPOINT] [--out metrics.json] [--show-dir DIR]
                         [--work-dir DIR] [--cfg-options k=v ...] [--launcher ...] [--debug]

Models without trainable parameters (bicubic, bilinear) need no checkpoint. Metrics (K, valid
pixels only): RMSE, MAE, BIAS, CC, RSD per image then averaged, and pooled over all pixels.
The work is done by :func:`groklst.apis.runner.test`. A mistake in the config, the overrides,
the data or the checkpoint is one error line and exit status 2 (``--debug``: the traceback);
nothing is written to ``--out`` then.
"""
import argparse
import os
import sys

from mmengine.config import DictAction

from groklst.apis.runner import LAUNCHERS, USER_ERRORS, format_user_error, test


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
        return test(args.config, args.checkpoint, work_dir=args.work_dir,
                    cfg_options=args.cfg_options, out=args.out, show_dir=args.show_dir,
                    max_show=args.max_show, launcher=args.launcher)
    except USER_ERRORS as err:
        if args.debug:
            raise
        print(f'test: error: {format_user_error(err)}', file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
