"""Score folders of downscaled scene GeoTIFFs against reference fine LST GeoTIFFs (the only
reader of the references of the self-supervised benchmark).

Outputs and references are matched by id: the file name without ``.tif`` (``OUT/<id>.tif`` as
written by ``tools/fit_scenes.py``; references ``<id>.tif`` in the given folders or files). An
output must lie on its reference's grid (same CRS, transform and size).

Scored pixels: the reference is finite and, when the scenes CSV is given, the coarse LST pixel
covering the fine pixel (found by georeference: the fine pixel centre in map coordinates) is
valid (finite, inside ``valid_range``) and every guidance band is finite there, so that every
method is compared on the same pixels. A scored pixel where the output is NaN is missing:
``coverage`` is the covered fraction of the scored pixels and the metrics are computed over the
covered ones. Metrics (:mod:`groklst.evaluation.functional`, K): RMSE, MAE, BIAS = mean(output −
reference), CC (Pearson), RSD, pooled over the pixels of all scenes (not averaged per scene).
"""
from __future__ import annotations

import glob
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from groklst.fileio.raster import read_raster

from .functional import merge_moments, metrics_from_moments, pixel_moments

__all__ = ['collect_references', 'scored_mask', 'score_scenes']


def collect_references(references: Iterable[str]) -> Dict[str, str]:
    """{id: path} of reference GeoTIFFs given as files or folders (their ``*.tif``).

    Raises:
        FileNotFoundError: a path that does not exist, or no reference at all.
        ValueError: two references with one id.
    """
    found: Dict[str, str] = {}
    for ref in references:
        if osp.isdir(ref):
            paths = sorted(glob.glob(osp.join(ref, '*.tif')))
        elif osp.isfile(ref):
            paths = [ref]
        else:
            raise FileNotFoundError(f'reference {ref} not found')
        for p in paths:
            sid = osp.splitext(osp.basename(p))[0]
            if sid in found and osp.abspath(found[sid]) != osp.abspath(p):
                raise ValueError(f'two references for id {sid!r}: {found[sid]} and {p}')
            found[sid] = p
    if not found:
        raise FileNotFoundError(f'no reference GeoTIFF in {list(references)}')
    return found


def _float(path: str) -> Tuple[np.ndarray, dict]:
    arr, prof = read_raster(path)
    arr = arr.astype(np.float64)
    nd = prof['nodata']
    if nd is not None and not np.isnan(nd):
        arr[arr == nd] = np.nan
    return arr, prof


def scored_mask(ref_prof: dict, ref: np.ndarray, lr_path: Optional[str] = None,
                guidance_paths: Sequence[str] = (),
                valid_range: Tuple[float, float] = (200.0, 360.0)) -> np.ndarray:
    """(H, W) bool scored pixels of one scene (module docstring).

    Args:
        ref_prof: :func:`groklst.fileio.raster.read_raster` profile of the reference.
        ref: (H, W) reference LST, NaN = invalid.
        lr_path: the scene's coarse LST (None: not used).
        guidance_paths: the scene's guidance files on the reference grid (empty: not used).
        valid_range: (min, max) K of a valid coarse pixel.

    Raises:
        ValueError: a guidance file not on the reference grid.
    """
    mask = np.isfinite(ref)
    h, w = ref.shape
    if lr_path is not None:
        lr, lp = _float(lr_path)
        lr = lr[0]
        t, lt = ref_prof['transform'], lp['transform']
        cols = t.c + (np.arange(w) + 0.5) * t.a
        rows = t.f + (np.arange(h) + 0.5) * t.e
        ci = np.floor((cols - lt.c) / lt.a).astype(int)
        ri = np.floor((rows - lt.f) / lt.e).astype(int)
        rin = (ri >= 0) & (ri < lr.shape[0])
        cin = (ci >= 0) & (ci < lr.shape[1])
        sub = lr[np.clip(ri, 0, lr.shape[0] - 1)][:, np.clip(ci, 0, lr.shape[1] - 1)]
        with np.errstate(invalid='ignore'):
            ok = np.isfinite(sub) & (sub >= valid_range[0]) & (sub <= valid_range[1])
        mask &= ok & rin[:, None] & cin[None, :]
    for g in guidance_paths:
        garr, gp = _float(g)
        if garr.shape[1:] != ref.shape or not gp['transform'].almost_equals(
                ref_prof['transform']):
            raise ValueError(f'{g}: expected the reference grid ({h} x {w} px, transform '
                             f'{tuple(ref_prof["transform"])[:6]}), found {garr.shape[1:]} px, '
                             f'{tuple(gp["transform"])[:6]}')
        mask &= np.isfinite(garr).all(axis=0)
    return mask


def score_scenes(out_dir: str, references: Iterable[str], scenes_csv: Optional[str] = None,
                 ids: Optional[Sequence[str]] = None, allow_missing: bool = False,
                 per_scene: bool = False) -> dict:
    """Pooled metrics of the outputs in ``out_dir`` against the references (module docstring).

    Args:
        out_dir: folder of ``<id>.tif`` outputs.
        references: reference files or folders.
        scenes_csv: the scenes CSV the outputs came from (restricts the scored pixels to valid
            coarse LST and finite guidance), or None.
        ids: score only these ids (default: every reference id).
        allow_missing: skip references without an output instead of failing.
        per_scene: also return the metrics of every scene.

    Returns:
        ``{'RMSE', 'MAE', 'BIAS', 'CC', 'RSD', 'n_pixels', 'coverage', 'n_scenes', 'ids',
        'missing'}`` (+ ``'scenes': {id: {...}}``).

    Raises:
        FileNotFoundError: references missing; an output missing (unless ``allow_missing``);
            nothing to score.
        ValueError: an output not on its reference's grid; an id not among the references.
    """
    refs = collect_references(references)
    if ids is not None:
        unknown = sorted(set(ids) - set(refs))
        if unknown:
            raise ValueError(f'ids {unknown} have no reference')
        refs = {k: refs[k] for k in ids}
    rows = {}
    if scenes_csv is not None:
        from groklst.datasets.coarse_scenes import read_scenes_csv
        rows = {r['id']: r for r in read_scenes_csv(scenes_csv)}
    missing = sorted(k for k in refs if not osp.isfile(osp.join(out_dir, f'{k}.tif')))
    if missing and not allow_missing:
        raise FileNotFoundError(f'{out_dir} has no output for {len(missing)} reference id(s): '
                                f'{missing[:10]}')
    parts: List[tuple] = []
    scenes = {}
    n_scored = 0
    for sid in sorted(set(refs) - set(missing)):
        ref, rp = _float(refs[sid])
        pred, pp = _float(osp.join(out_dir, f'{sid}.tif'))
        if pred.shape != ref.shape or not pp['transform'].almost_equals(rp['transform']) or \
                pp['crs'] != rp['crs']:
            raise ValueError(f'{sid}: output {pred.shape[1:]} px, {pp["crs"]}, transform '
                             f'{tuple(pp["transform"])[:6]} is not on the reference grid '
                             f'{ref.shape[1:]} px, {rp["crs"]}, {tuple(rp["transform"])[:6]}')
        row = rows.get(sid)
        mask = scored_mask(rp, ref[0], row['lr_lst'] if row else None,
                           row['guidance'] if row else ())
        n_scored += int(mask.sum())
        moments = pixel_moments(pred[0], ref[0], mask)
        parts.append(moments)
        if per_scene:
            scenes[sid] = dict(metrics_from_moments(moments), n_pixels=int(moments[0]),
                               coverage=moments[0] / max(1, int(mask.sum())))
    if not parts:
        raise FileNotFoundError(f'nothing to score: no output of {out_dir} matches a reference')
    pooled = merge_moments(parts)
    out = dict(metrics_from_moments(pooled), n_pixels=int(pooled[0]),
               coverage=pooled[0] / max(1, n_scored), n_scenes=len(parts),
               ids=sorted(set(refs) - set(missing)), missing=missing)
    if per_scene:
        out['scenes'] = scenes
    return out
