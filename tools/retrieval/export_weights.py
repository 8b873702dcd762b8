"""Export a trained retrieval checkpoint as shipped weights (data/weights/retrieval/).

Writes a weights-only copy (``<config name>.pth``: state dict and a little metadata, no
optimizer state) and its entry in ``manifest.json``: config, SHA-256, size, the commands that
made it, the test-split metrics of the exported weights and the training domain that
``tools/retrieve.py`` flags pixels against. The work is
:func:`groklst.apis.retrieval.weights.export_weights`.

    .venv/bin/python tools/train.py configs/retrieval/mlp_l8-b10-singlechannel_sim.py \\
        --work-dir work_dirs/weights/mlp_l8-b10-singlechannel_sim
    .venv/bin/python tools/retrieval/export_weights.py \\
        configs/retrieval/mlp_l8-b10-singlechannel_sim.py \\
        work_dirs/weights/mlp_l8-b10-singlechannel_sim/best_RMSE_iter_1000.pth --name mlp
"""
import argparse
import sys

from groklst.apis.retrieval.weights import SHIPPED_METHODS, export_weights


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='retrieval config the checkpoint was trained with')
    p.add_argument('checkpoint', help='training checkpoint (e.g. best_RMSE_iter_N.pth)')
    p.add_argument('--name', required=True, choices=SHIPPED_METHODS,
                   help='method name of tools/retrieve.py --method')
    p.add_argument('--out-dir', default=None, help='default data/weights/retrieval')
    p.add_argument('--command', default=None,
                   help='how the checkpoint was made (default: the tools/train.py command)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse_args(argv)
    command = a.command or (f'.venv/bin/python tools/train.py {a.config} --work-dir '
                            f'work_dirs/weights/{a.config.rsplit("/", 1)[-1][:-3]}')
    try:
        export_weights(a.config, a.checkpoint, a.name, a.out_dir, command)
    except (ValueError, FileNotFoundError) as err:
        print(f'export_weights: error: {err}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
