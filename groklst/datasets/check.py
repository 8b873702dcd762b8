"""Validation of downscaling dataset folders (what ``tools/dataset_converters/check_dataset.py``
prints).

Two layouts:

- ``tif``: a GeoTIFF scene as read by :class:`~groklst.datasets.RasterTileDataset` (Landsat-8
  demo layout): ``hr_lst.tif``, ``guidance.tif``, ``valid_mask.tif``, ``lr_lst_x{s}.tif``,
  ``splits.json``.
- ``mat``: the GrokLST release (Dai et al., IEEE TGRS 2025) as read by
  :class:`~groklst.datasets.GrokLSTDataset`: ``{hr_res}/{lst,guidance}/*.mat``,
  ``{s*hr_res}/lst/*.mat``, ``split/*.txt``.

Checks: every file opens (corrupt / truncated files are named), LR / HR LST / guidance pairs
are complete, HR size = scale x LR size, paired rasters share CRS and grid, guidance band
count and names match the dataset metainfo (the index's ``guidance_bands`` / the ten GrokLST
variables), LST files hold one band, split indices are in range, tiles lie inside the scene,
per file the fraction of NaN (non-finite) pixels: all-NaN files are errors, files above
``max_nan`` warnings; and the LST values of every LST file: not in Kelvin (no more than 1 % of
the finite values inside ``lst_range``, default 180–360 K; °C, K×100, unapplied scale factors)
is an error naming the file, its min / max / median and the likely unit
(:func:`groklst.datasets.validation.check_lst_values`, the check the datasets run when they are
built); more than half of the values outside the range is a warning. GDAL scale/offset tags of
GeoTIFFs are applied before the values are looked at.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from ..fileio.mat_io import GROKLST_GUIDANCE_BANDS, read_mat_guidance, read_mat_lst
from ..fileio.raster import read_raster
from .raster_tile_dataset import _check_scene_grids
from .validation import DEFAULT_LST_RANGE, LSTValueError, check_lst_values

__all__ = ['DatasetReport', 'check_raster_scene', 'check_groklst', 'guess_format',
           'check_dataset']


@dataclass
class DatasetReport:
    """Findings of a dataset check.

    Attributes:
        errors: messages that make the dataset unusable (each names the file).
        warnings: suspicious but usable (e.g. many NaN pixels).
        files: per checked file ``dict(path, shape, bands, nan_fraction)`` (LST files also
            ``median``, of the finite values).
    """
    root: str
    format: str
    scale: int
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    files: List[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def format_text(self) -> str:
        """The printed report: per-file table, warnings, errors and a summary line."""
        lines = [f'dataset : {self.root} (format {self.format}, scale x{self.scale})',
                 f'{"file":60s} {"bands":>5s} {"H x W":>13s} {"NaN %":>7s} {"median":>9s}']
        for f in self.files:
            shape = f'{f["shape"][0]} x {f["shape"][1]}' if f.get('shape') else '-'
            nan = f'{100 * f["nan_fraction"]:.2f}' if f.get('nan_fraction') is not None else '-'
            med = f'{f["median"]:.5g}' if f.get('median') is not None else '-'
            name = osp.relpath(f['path'], self.root)
            lines.append(f'{name[-60:]:60s} {f.get("bands", "-")!s:>5s} {shape:>13s} {nan:>7s} '
                         f'{med:>9s}')
        lines += [f'WARNING: {w}' for w in self.warnings]
        lines += [f'ERROR: {e}' for e in self.errors]
        lines.append(f'{len(self.files)} files checked: {len(self.errors)} error(s), '
                     f'{len(self.warnings)} warning(s) -> {"OK" if self.ok else "FAILED"}')
        return '\n'.join(lines)


def _record(report: DatasetReport, path: str, array: np.ndarray, max_nan: float,
            what: str, lst_range=None) -> None:
    """Add a file's shape and NaN fraction to the report; all-NaN is an error. With
    ``lst_range`` (LST files) the values must be in Kelvin (:func:`check_lst_values`)."""
    nan = float(np.mean(~np.isfinite(array))) if array.size else 1.0
    entry = dict(path=path, shape=tuple(array.shape[-2:]), bands=int(array.shape[0]),
                 nan_fraction=nan)
    report.files.append(entry)
    if nan >= 1.0:
        report.errors.append(f'{path}: all pixels are NaN / non-finite ({what}): no valid data')
    elif nan > max_nan:
        report.warnings.append(f'{path}: {100 * nan:.1f}% NaN pixels ({what}), above '
                               f'--max-nan {100 * max_nan:.0f}%')
    if lst_range is None or nan >= 1.0:
        return
    try:
        summary = check_lst_values(array, path, lst_range)
    except LSTValueError as err:
        report.errors.append(str(err))
        return
    entry['median'] = summary['median']
    if summary['in_range_fraction'] < 0.5:
        report.warnings.append(
            f'{path}: {100 * (1 - summary["in_range_fraction"]):.1f}% of the finite LST values '
            f'({what}) lie outside {lst_range[0]:g}–{lst_range[1]:g} K (fill values without a '
            'nodata tag?); the loader masks them')


def _read(report: DatasetReport, reader, path: str, *args) -> Optional[np.ndarray]:
    """Call ``reader(path, ...)``; a failure becomes an error naming the file."""
    try:
        return reader(path, *args)
    except (OSError, ValueError, KeyError, NotImplementedError) as err:
        msg = str(err)
        report.errors.append(msg if path in msg else f'{path}: {msg}')
        return None


def check_raster_scene(root: str, scale: int, max_nan: float = 0.5,
                       index_file: str = 'splits.json',
                       lst_range=DEFAULT_LST_RANGE) -> DatasetReport:
    """Check a GeoTIFF scene folder (layout of :class:`~groklst.datasets.RasterTileDataset`).

    ``lst_range``: plausible LST in K of the value check of ``hr`` and ``lr``.

    Returns:
        DatasetReport: its ``errors`` list is empty when the scene is usable at ``scale``.
    """
    report = DatasetReport(root, 'tif', scale)
    index_path = osp.join(root, index_file)
    index = None
    if not osp.isfile(index_path):
        report.errors.append(f'{index_path}: tile index missing')
    else:
        try:
            with open(index_path) as f:
                index = json.load(f)
            if not isinstance(index.get('tiles'), list):
                raise ValueError('no "tiles" list')
        except (ValueError, OSError) as err:
            report.errors.append(f'{index_path}: not a valid tile index ({err})')
            index = None
    bands = list(index.get('guidance_bands', [])) if index else []
    files = dict(hr='hr_lst.tif', lr=f'lr_lst_x{scale}.tif', guidance='guidance.tif',
                 mask='valid_mask.tif')
    headers, arrays = {}, {}
    for role, name in files.items():
        path = osp.join(root, name)
        if not osp.isfile(path):
            report.errors.append(f'{path}: missing ({role} raster of the scene at x{scale})')
            continue
        res = _read(report, read_raster, path)
        if res is None:
            continue
        arr, prof = res
        arrays[role] = arr
        headers[role] = dict(path=path, crs=prof['crs'], transform=prof['transform'],
                             height=prof['height'], width=prof['width'], count=prof['count'])
        if role == 'mask':
            report.files.append(dict(path=path, shape=arr.shape[-2:], bands=arr.shape[0],
                                     nan_fraction=None))
            if not (arr > 0).any():
                report.errors.append(f'{path}: no pixel flagged valid')
        else:
            arr = arr.astype(np.float32)
            if prof['nodata'] is not None and np.isfinite(prof['nodata']):
                arr = np.where(arr == prof['nodata'], np.nan, arr)
            _record(report, path, arr, max_nan, role,
                    lst_range if role in ('hr', 'lr') else None)
        if role == 'guidance' and bands:
            desc = [d for d in prof['descriptions'] if d]
            if desc and len(desc) == len(bands) and desc != bands:
                report.errors.append(f'{path}: band descriptions {desc} differ from the index '
                                     f'guidance_bands {bands}')
    if 'hr' in headers:
        # one check per raster, so every inconsistent file is reported
        for role, h in headers.items():
            if role == 'hr':
                continue
            try:
                _check_scene_grids(dict(hr=headers['hr'], **{role: h}), scale, len(bands))
            except ValueError as err:
                report.errors.append(str(err))
        hr = headers['hr']
        for t in (index or {}).get('tiles', []):
            try:
                r, c, s, tid = int(t['row']), int(t['col']), int(t['size']), t['id']
            except (KeyError, TypeError, ValueError):
                report.errors.append(f'{index_path}: malformed tile entry {t!r}')
                continue
            if r % scale or c % scale or s % scale:
                report.errors.append(f'{index_path}: tile {tid} (row {r}, col {c}, size {s}) '
                                     f'is not aligned to scale {scale}')
            if r < 0 or c < 0 or r + s > hr['height'] or c + s > hr['width']:
                report.errors.append(f'{index_path}: tile {tid} lies outside the '
                                     f"{hr['height']} x {hr['width']} scene")
            elif 'hr' in arrays and not np.isfinite(arrays['hr'][:, r:r + s, c:c + s]).any():
                report.warnings.append(f'{index_path}: tile {tid} has no finite HR LST pixel')
    return report


def _mat_names(folder: str) -> List[str]:
    return sorted(n for n in os.listdir(folder) if n.lower().endswith('.mat')
                  and not n.startswith('.')) if osp.isdir(folder) else []


def check_groklst(root: str, scale: int, max_nan: float = 0.5, hr_res: str = '30m',
                  bands=GROKLST_GUIDANCE_BANDS, lst_range=DEFAULT_LST_RANGE) -> DatasetReport:
    """Check a GrokLST ``.mat`` dataset folder (layout of
    :class:`~groklst.datasets.GrokLSTDataset`) at one scale.

    ``lst_range``: plausible LST in K of the value check of the HR and LR LST files.

    Returns:
        DatasetReport: its ``errors`` list is empty when the dataset is usable at ``scale``.
    """
    report = DatasetReport(root, 'mat', scale)
    lr_res = f'{int(hr_res[:-1]) * scale}m'
    folders = dict(gt=osp.join(root, hr_res, 'lst'), lr=osp.join(root, lr_res, 'lst'),
                   guidance=osp.join(root, hr_res, 'guidance'))
    names = {}
    for key, folder in folders.items():
        if not osp.isdir(folder):
            report.errors.append(f'{folder}: folder missing')
        names[key] = _mat_names(folder)
    all_names = sorted(set().union(*names.values()))
    for name in all_names:
        missing = [folders[k] for k in folders if osp.isdir(folders[k]) and name not in names[k]]
        if missing:
            report.errors.append(f'{name}: no file in {missing} (incomplete LR / HR / guidance '
                                 'pair)')
            continue
        gt = _read(report, read_mat_lst, osp.join(folders['gt'], name))
        lr = _read(report, read_mat_lst, osp.join(folders['lr'], name))
        gd = _read(report, read_mat_guidance, osp.join(folders['guidance'], name), bands)
        for arr, key in ((gt, 'gt'), (lr, 'lr'), (gd, 'guidance')):
            if arr is not None:
                _record(report, osp.join(folders[key], name), arr, max_nan, key,
                        lst_range if key in ('gt', 'lr') else None)
        if lr is not None:
            want = (lr.shape[-2] * scale, lr.shape[-1] * scale)
            for arr, key in ((gt, 'gt'), (gd, 'guidance')):
                if arr is not None and tuple(arr.shape[-2:]) != want:
                    report.errors.append(
                        f'{osp.join(folders[key], name)} is {arr.shape[-2]} x {arr.shape[-1]} '
                        f'but {osp.join(folders["lr"], name)} is {lr.shape[-2]} x '
                        f'{lr.shape[-1]}: expected {want[0]} x {want[1]} at scale {scale}')
    split_dir = osp.join(root, 'split')
    for split in ('train', 'val', 'trainval', 'test'):
        path = osp.join(split_dir, f'{split}.txt')
        if not osp.isfile(path):
            continue
        with open(path) as f:
            tokens = [ln.split()[0] for ln in f if ln.split() and not ln.startswith('#')]
        bad = [t for t in tokens if not t.isdigit() or int(t) >= len(names['gt'])]
        if bad:
            report.errors.append(f'{path}: indices {bad[:5]} are not in 0..'
                                 f"{len(names['gt']) - 1} (HR LST files)")
    return report


def guess_format(root: str) -> str:
    """'tif' when ``splits.json`` exists, 'mat' when ``30m/`` exists.

    Raises:
        ValueError: neither layout is recognized.
    """
    if osp.isfile(osp.join(root, 'splits.json')):
        return 'tif'
    if osp.isdir(osp.join(root, '30m')):
        return 'mat'
    raise ValueError(f'{root}: neither a GeoTIFF scene (splits.json) nor a GrokLST folder (30m/);'
                     ' give --format')


def check_dataset(root: str, scale: int, max_nan: float = 0.5, fmt: Optional[str] = None,
                  hr_res: str = '30m', lst_range=DEFAULT_LST_RANGE) -> DatasetReport:
    """Check a dataset folder of either layout (``fmt`` None: :func:`guess_format`).

    Raises:
        ValueError: ``root`` is not a folder, or ``fmt`` is None and no layout is recognized.
    """
    if not osp.isdir(root):
        raise ValueError(f'{root}: not a folder')
    fmt = fmt or guess_format(root)
    if fmt == 'tif':
        return check_raster_scene(root, scale, max_nan, lst_range=lst_range)
    if fmt == 'mat':
        return check_groklst(root, scale, max_nan, hr_res, lst_range=lst_range)
    raise ValueError(f"unknown dataset format {fmt!r}; expected 'tif' or 'mat'")
