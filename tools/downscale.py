"""Downscale a coarse LST GeoTIFF onto the grid of fine guidance GeoTIFF(s) with a groklst model.

    python tools/downscale.py --config C [--checkpoint K] --lr-lst LR.tif \\
        --guidance G.tif [G2.tif ...] [--guidance-bands NAME ...] --out OUT.tif \\
        [--tile 256 --overlap 32 --batch 4] [--preview OUT.png] [--resample-lr] \\
        [--reference HR.tif] [--fit-samples 65536 --fit-seed 0] [--overviews] [--device cpu]

Before any pixel is downscaled the inputs are checked (LR single band, CRS match, overlapping
extents, LR pixel = scale x guidance pixel, guidance band count / order as in the config or as
stated by --guidance-bands, output paths that are not inputs); each failure is one error naming
the file, what was expected and what was found, and nothing is written. The scene is read and
written by windows (memory bounded by the tile size, not the scene size). The output (float32
LST in K, nodata NaN, band description 'LST', units 'K', a tiled LZW-compressed COG) is on the
guidance grid. Details: docs/scene_downscaling.md and groklst/apis/geotiff.py.
"""
import argparse
import sys
import time

from groklst.apis import SceneCheckError, downscale_geotiff, init_downscaler
from groklst.apis.scene_fit import DEFAULT_FIT_SAMPLES


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Downscale an LST GeoTIFF with a groklst model '
                                '(tiled, overlap-blended inference)')
    p.add_argument('--config', required=True, help='model config (.py)')
    p.add_argument('--checkpoint', default=None,
                   help='trained weights; not needed by interpolation baselines and per-scene '
                        'sharpeners')
    p.add_argument('--lr-lst', required=True, help='coarse LST GeoTIFF, 1 band, K')
    p.add_argument('--guidance', required=True, nargs='+',
                   help='fine guidance GeoTIFF(s), bands in the order the model was trained '
                        'with; their grid is the output grid')
    p.add_argument('--guidance-bands', nargs='+', default=None, metavar='NAME',
                   help='names of the guidance bands in the order of the files (all files '
                        'together); checked against the model\'s bands. Without it, guidance '
                        'files without band descriptions are assumed to be in the model\'s '
                        'order (a warning is printed)')
    p.add_argument('--out', required=True,
                   help='output GeoTIFF (LST in K, tiled compressed COG); must not be an input')
    p.add_argument('--tile', type=int, default=256, help='tile size in HR pixels (default 256)')
    p.add_argument('--overlap', type=int, default=32,
                   help='overlap of neighbouring tiles in HR pixels (default 32)')
    p.add_argument('--batch', type=int, default=4, help='tiles per forward pass (default 4)')
    p.add_argument('--preview', default=None, help='write an LR | prediction PNG panel')
    p.add_argument('--reference', default=None,
                   help='HR LST GeoTIFF on the guidance grid, added to the preview')
    p.add_argument('--resample-lr', action='store_true',
                   help='resample the LR to exactly scale x the guidance pixel size (and the '
                        "guidance lattice) when it is not, instead of failing")
    p.add_argument('--fit-samples', type=int, default=DEFAULT_FIT_SAMPLES,
                   help='per-scene sharpeners (TsHARP, DisTrad, DMS) fit on all valid LR '
                        'pixels up to this many, else on a random sample of this many '
                        f'(default {DEFAULT_FIT_SAMPLES})')
    p.add_argument('--fit-seed', type=int, default=0, help='seed of that sample (default 0)')
    p.add_argument('--overviews', action='store_true', help='add overviews to the output COG')
    p.add_argument('--device', default='cpu')
    p.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    try:
        model = init_downscaler(args.config, args.checkpoint, device=args.device)
        downscale_geotiff(model, args.lr_lst, args.guidance, args.out, tile=args.tile,
                          overlap=args.overlap, batch=args.batch, preview=args.preview,
                          resample_lr=args.resample_lr, reference_path=args.reference,
                          progress=not args.no_progress, guidance_bands=args.guidance_bands,
                          fit_samples=args.fit_samples, fit_seed=args.fit_seed,
                          overviews=args.overviews)
    except (SceneCheckError, ValueError, FileNotFoundError) as exc:
        print(f'downscale: error: {exc}', file=sys.stderr)
        return 1
    print(f'total {time.perf_counter() - t0:.2f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
