"""Score a folder of downscaled scenes against reference fine LST GeoTIFFs.

    python tools/analysis/score_scenes.py OUT_DIR REFERENCE [REFERENCE ...] \\
        [--scenes SCENES.csv] [--ids ID ...] [--per-scene] [--allow-missing] [--json OUT.json]

OUT_DIR holds <id>.tif (as written by tools/fit_scenes.py); a REFERENCE is a GeoTIFF <id>.tif or
a folder of them (e.g. data/selfsup_benchmark/reference/p120). RMSE, MAE, BIAS (output minus
reference), CC and RSD in K are pooled over the scored pixels of all scenes; with --scenes only
pixels whose coarse LST is valid and whose guidance is finite are scored (the same pixels for
every method). Details: groklst/evaluation/scenes.py.
"""
import argparse
import json
import sys

from groklst.evaluation.scenes import score_scenes
from groklst.fileio.text import write_text


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Score downscaled scenes against reference LST')
    p.add_argument('out_dir', help='folder of <id>.tif outputs')
    p.add_argument('references', nargs='+', help='reference <id>.tif files or folders')
    p.add_argument('--scenes', default=None,
                   help='the scenes CSV of the outputs: score only pixels with valid coarse LST '
                        'and finite guidance')
    p.add_argument('--ids', nargs='+', default=None, help='score only these ids')
    p.add_argument('--per-scene', action='store_true', help='print every scene too')
    p.add_argument('--allow-missing', action='store_true',
                   help='skip references without an output instead of failing')
    p.add_argument('--json', default=None, help='also write the scores to this JSON file')
    return p.parse_args(argv)


def _line(name, m):
    return (f"{name:12s} RMSE {m['RMSE']:.4f} K  MAE {m['MAE']:.4f} K  BIAS {m['BIAS']:+.4f} K  "
            f"CC {m['CC']:.4f}  n {m['n_pixels']}  coverage {m['coverage']:.4f}")


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        res = score_scenes(args.out_dir, args.references, scenes_csv=args.scenes, ids=args.ids,
                           allow_missing=args.allow_missing, per_scene=args.per_scene)
    except (FileNotFoundError, ValueError) as exc:
        print(f'score_scenes: error: {exc}', file=sys.stderr)
        return 1
    print(_line(f"{res['n_scenes']} scenes", res))
    if res['missing']:
        print(f"skipped {len(res['missing'])} reference(s) without output: {res['missing']}")
    for sid, m in res.get('scenes', {}).items():
        print(_line(sid, m))
    if args.json:
        write_text(args.json, json.dumps(res, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
