"""Downscale your own coarse LST scenes (no fine LST needed): fit a model self-supervised on
the scenes, then write a fine LST GeoTIFF per scene.

    python tools/fit_scenes.py --scenes SCENES.csv --work-dir W --out-dir OUT \\
        [--config CFG] [--scale 4] [--iters N] [--checkpoint K] [--device cpu] \\
        [--tile 256 --overlap 64 --batch 4] [--prepare-only] [--cfg-options k=v ...]

SCENES.csv has the columns ``id,lr_lst,guidance`` (guidance: one multi-band GeoTIFF, or
single-band GeoTIFFs joined with ';'; paths relative to the CSV). Every scene is checked before
anything is trained; the outputs ``OUT/<id>.tif`` are on the guidance grids. Without --config the
NDVI-guided default for the scale is used; with --checkpoint nothing is trained. Details:
docs/selfsupervised.md and groklst/apis/fit_scenes.py.
"""
import argparse
import sys

from mmengine.config import DictAction

from groklst.apis import SceneCheckError, fit_scenes


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Fit a downscaler self-supervised on coarse LST '
                                'scenes (no fine LST) and downscale every scene')
    p.add_argument('--scenes', required=True, help='scenes CSV: id,lr_lst,guidance')
    p.add_argument('--work-dir', required=True,
                   help='run folder: log, checkpoints, scene_stats.json, fit_scenes_config.py')
    p.add_argument('--out-dir', required=True, help='output folder: <id>.tif per scene')
    p.add_argument('--config', default=None,
                   help='model config (default: the NDVI-guided default for --scale)')
    p.add_argument('--scale', type=int, default=None,
                   help='scale factor (default 4; must match --config when both are given)')
    p.add_argument('--iters', type=int, default=None,
                   help="training iterations (default: the config's)")
    p.add_argument('--checkpoint', default=None,
                   help='fitted weights: skip training and apply them to the scenes')
    p.add_argument('--device', default=None, help='downscaling device (default: cuda if any)')
    p.add_argument('--tile', type=int, default=256, help='tile size in HR pixels (default 256)')
    p.add_argument('--overlap', type=int, default=64, help='tile overlap in HR px (default 64)')
    p.add_argument('--batch', type=int, default=4, help='tiles per forward pass (default 4)')
    p.add_argument('--prepare-only', action='store_true',
                   help='check the scenes, write the statistics and the run config '
                        '(W/fit_scenes_config.py, for tools/dist_train.sh) and stop')
    p.add_argument('--no-progress', action='store_true', help='hide the progress bars')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default=None,
                   help='override config values, e.g. model.consistency=hard')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        fit_scenes(args.scenes, args.work_dir, args.out_dir, config=args.config,
                   scale=args.scale, iters=args.iters, checkpoint=args.checkpoint,
                   device=args.device, tile=args.tile, overlap=args.overlap, batch=args.batch,
                   prepare_only=args.prepare_only, cfg_options=args.cfg_options,
                   progress=not args.no_progress)
    except (SceneCheckError, ValueError, FileNotFoundError) as exc:
        print(f'fit_scenes: error: {exc}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
