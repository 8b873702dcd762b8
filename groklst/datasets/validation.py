"""Checks run on a dataset's files when it is built, before any training iteration.

Two things are shared by every dataset (GrokLST ``.mat`` tiles, GeoTIFF scenes, coarse scenes):

- :func:`check_lst_values`: are the LST values of a file in Kelvin? A dataset in °C, in scaled
  integers (K×100, MODIS-style digital numbers) or with unapplied scale factors otherwise trains
  silently on nothing: every pixel falls outside the loader's valid range, the masks are empty,
  the loss is 0 and the metrics NaN. The check finds what the values look like and says so.
- :func:`cached_check`: per-file checks (headers, shapes, variables, value ranges) are run once
  and remembered, keyed on the files' absolute paths, modification times and sizes and on the
  check's parameters; a changed file is checked again. Results live in memory and in
  ``file_checks.json`` of the cache folder (``$GROKLST_CACHE_DIR``, else
  ``~/.cache/groklst``); an unwritable cache folder only costs the re-check.

Plausible LST
-------------
:data:`DEFAULT_LST_RANGE` = 180–360 K: the coldest land surfaces measured from space (East
Antarctic plateau, about 180 K) to the hottest (deserts, about 350 K), with margin. A file is
rejected when fewer than ``min_fraction`` (default 1 %) of its finite values lie in the range:
a unit error puts *no* value there (°C: −90…90; K×100: 18000–36000; MODIS DN: 7500–65535),
while a Kelvin file with fill codes (0, −9999) or cloud still has its real pixels in range. The
per-pixel validity of training (``LoadLSTSample(valid_range=...)``, 200–360 K by default) is a
separate, stricter setting.
"""
import hashlib
import json
import os
import os.path as osp
import uuid
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

__all__ = ['DEFAULT_LST_RANGE', 'DatasetValidationError', 'LSTValueError', 'summarize_values',
           'likely_lst_unit', 'check_lst_values', 'cached_check', 'cache_file', 'flush_cache',
           'clear_memory_cache', 'collect_file_errors', 'read_lst_sample', 'VALUE_CHECK_SIDE']

#: Plausible land surface temperatures in K (see the module docstring).
DEFAULT_LST_RANGE: Tuple[float, float] = (180.0, 360.0)

#: Below this fraction of finite values inside the range, a file is not in Kelvin.
DEFAULT_MIN_FRACTION = 0.01

#: Version of the cached results: bump when a check changes what it accepts.
_CACHE_VERSION = 2


class DatasetValidationError(ValueError):
    """A dataset that cannot be built: an unusable file (the message names it) or a dataset
    argument that does not fit the data (split, scale, bands)."""


class LSTValueError(DatasetValidationError):
    """LST values outside the plausible range in K (wrong unit or scaling)."""


def summarize_values(values: np.ndarray, valid_range: Tuple[float, float] = DEFAULT_LST_RANGE
                     ) -> Dict[str, float]:
    """Statistics of the finite values of an array.

    Args:
        values: any shape, any numeric dtype.
        valid_range: (low, high) for ``in_range_fraction``.

    Returns:
        dict: ``n`` (values), ``n_finite``, ``min``, ``max``, ``median`` (NaN without finite
        values) and ``in_range_fraction`` (share of the finite values within ``valid_range``,
        NaN without finite values).
    """
    values = np.asarray(values)
    finite = values[np.isfinite(values)] if values.dtype.kind == 'f' else values.ravel()
    out = dict(n=int(values.size), n_finite=int(finite.size))
    if not finite.size:
        out.update(min=float('nan'), max=float('nan'), median=float('nan'),
                   in_range_fraction=float('nan'))
        return out
    finite = finite.astype(np.float64)
    lo, hi = valid_range
    out.update(min=float(finite.min()), max=float(finite.max()),
               median=float(np.median(finite)),
               in_range_fraction=float(np.mean((finite >= lo) & (finite <= hi))))
    return out


def likely_lst_unit(median: float) -> str:
    """What LST values with this median most likely are, as advice for the user.

    Args:
        median: median of a file's finite LST values.

    Returns:
        str: e.g. ``'°C (K = °C + 273.15)'``, ``'K×100 scaled integers (divide by 100)'``.
    """
    m = float(median)
    if not np.isfinite(m):
        return 'no finite value'
    if -90.0 <= m <= 90.0:
        return '°C (K = °C + 273.15)'
    if 90.0 < m < 180.0:
        return '°F (K = (°F − 32) × 5/9 + 273.15) or values with an unapplied offset'
    if 1800.0 <= m <= 3600.0:
        return 'K×10 scaled integers (divide by 10)'
    if 7500.0 <= m < 18000.0:
        return ('digital numbers with scale factor 0.02 K (MODIS LST style): apply the scale '
                'factor, or set the GDAL scale tag so that readers apply it')
    if 18000.0 <= m <= 36000.0:
        return 'K×100 scaled integers (divide by 100)'
    return 'an unknown unit or scaling'


def check_lst_values(values: np.ndarray, source: str,
                     valid_range: Tuple[float, float] = DEFAULT_LST_RANGE,
                     band: Optional[str] = None,
                     min_fraction: float = DEFAULT_MIN_FRACTION) -> Dict[str, float]:
    """Check that LST values are in Kelvin: enough finite values inside ``valid_range``.

    Non-finite values (NaN fill) are ignored; a file without any finite value passes here (the
    callers report all-NaN files on their own terms).

    Args:
        values: LST of one file or tile, any shape (e.g. (1, H, W)), any numeric dtype.
        source: what the values are, named in the error (e.g. the file path).
        valid_range: (low, high) plausible LST in K. Defaults to :data:`DEFAULT_LST_RANGE`.
        band: band / variable name, named in the error.
        min_fraction: least share of finite values inside ``valid_range``.

    Returns:
        dict: :func:`summarize_values` of ``values``.

    Raises:
        LSTValueError: fewer than ``min_fraction`` of the finite values inside ``valid_range``;
            the message names ``source`` and ``band``, gives min / max / median and the unit
            the values most likely are in.
        ValueError: ``valid_range`` is not (low < high).
    """
    lo, hi = (float(v) for v in valid_range)
    if not lo < hi:
        raise ValueError(f'valid_range must be (low, high) with low < high, got {valid_range}')
    summary = summarize_values(values, (lo, hi))
    if summary['n_finite'] and summary['in_range_fraction'] < min_fraction:
        where = f'{source}' + (f' (band {band!r})' if band else '')
        raise LSTValueError(
            f'{where}: LST values are not in Kelvin: min {summary["min"]:.6g}, max '
            f'{summary["max"]:.6g}, median {summary["median"]:.6g} over '
            f'{summary["n_finite"]} finite values, {100 * summary["in_range_fraction"]:.2f}% '
            f'within the plausible range {lo:g}–{hi:g} K; they look like '
            f'{likely_lst_unit(summary["median"])}. Convert the data to K (or set the '
            "dataset's lst_range if this range is really meant)")
    return summary


#: Longest side at which a scene's LST is read for the value check (decimated, bounded memory).
VALUE_CHECK_SIDE = 1024


def read_lst_sample(path: str, max_side: int = VALUE_CHECK_SIDE):
    """The LST of a raster read decimated to at most ``max_side`` pixels a side (nearest
    neighbour), GDAL scale/offset applied and nodata pixels set to NaN: enough to tell its unit
    in bounded memory at any scene size.

    Returns:
        np.ndarray: float (C, h, w).
    """
    import rasterio

    from groklst.fileio.raster import read_raster
    with rasterio.open(path) as src:
        height, width = src.height, src.width
    f = max(1.0, max(height, width) / float(max_side))
    shape = (max(1, int(round(height / f))), max(1, int(round(width / f))))
    arr, prof = read_raster(path, out_shape=shape)
    arr = arr.astype(np.float64 if arr.dtype == np.float64 else np.float32)
    nodata = prof['nodata']
    if nodata is not None and np.isfinite(nodata):
        arr[arr == nodata] = np.nan
    return arr


# ---------------------------------------------------------------------------------------------
# cached per-file checks

_MEMORY: Dict[str, Any] = {}
_DISK: Optional[Dict[str, Any]] = None
_DIRTY = False


def cache_file() -> str:
    """Path of the on-disk cache of file checks (``$GROKLST_CACHE_DIR/file_checks.json``, else
    ``~/.cache/groklst/file_checks.json``)."""
    folder = os.environ.get('GROKLST_CACHE_DIR') or osp.join(osp.expanduser('~'), '.cache',
                                                             'groklst')
    return osp.join(folder, 'file_checks.json')


def _load_disk() -> Dict[str, Any]:
    global _DISK
    if _DISK is None:
        try:
            with open(cache_file(), encoding='utf-8') as f:
                data = json.load(f)
            entries = data.get('entries', {}) if data.get('version') == _CACHE_VERSION else {}
            _DISK = {k: v for k, v in entries.items() if isinstance(v, dict) and 'result' in v}
        except (OSError, ValueError, AttributeError):
            _DISK = {}
    return _DISK


def _file_key(path: str) -> list:
    st = os.stat(path)
    return [osp.abspath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def cached_check(kind: str, paths: Sequence[str], params: Any, compute: Callable[[], Any]
                 ) -> Any:
    """Result of ``compute()`` for these files, computed once per file state.

    Args:
        kind: name of the check (e.g. ``'groklst-sample'``).
        paths: the files the check reads; a change of any (size, modification or status
            change time, inode) invalidates the result.
        params: JSON-serializable parameters of the check (scale, band names, range...).
        compute: runs the check; returns a JSON-serializable result or raises. Failures are
            not cached (a broken file is re-checked, and fails, every time).

    Returns:
        what ``compute`` returned now or the first time.

    Raises:
        whatever ``compute`` raises; FileNotFoundError when a path does not exist.
    """
    global _DIRTY
    key = json.dumps([kind, params, [_file_key(p) for p in paths]], default=str)
    key = hashlib.sha1(key.encode('utf-8')).hexdigest()
    if key in _MEMORY:
        return _MEMORY[key]['result']
    disk = _load_disk()
    if key in disk:
        _MEMORY[key] = disk[key]
        return disk[key]['result']
    result = compute()
    _MEMORY[key] = disk[key] = dict(paths=[osp.abspath(p) for p in paths], result=result)
    _DIRTY = True
    return result


def flush_cache(max_entries: int = 50000) -> None:
    """Write new results to the on-disk cache (atomically; errors ignored: the cache is only an
    optimization). Entries of files that no longer exist are dropped; at most ``max_entries``
    (the newest) are kept."""
    global _DIRTY
    if not _DIRTY or _DISK is None:
        return
    path = cache_file()
    entries = {k: v for k, v in _DISK.items()
               if isinstance(v, dict) and all(osp.exists(p) for p in v.get('paths', ()))}
    if len(entries) > max_entries:
        entries = dict(list(entries.items())[-max_entries:])
    tmp = f'{path}.{uuid.uuid4().hex}.tmp'
    try:
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(dict(version=_CACHE_VERSION, entries=entries), f)
        os.replace(tmp, path)
        _DIRTY = False
    except OSError:
        if osp.exists(tmp):
            os.remove(tmp)


def clear_memory_cache() -> None:
    """Forget the in-memory results (the next check reads the disk cache again)."""
    global _DISK, _DIRTY
    _MEMORY.clear()
    _DISK = None
    _DIRTY = False


def collect_file_errors(items: Sequence[Any], check: Callable[[Any], None], what: str,
                        hint: str = '') -> None:
    """Run ``check(item)`` on every item and raise one error for all failures.

    Args:
        items: e.g. the samples of a data list.
        check: raises ``ValueError`` / ``KeyError`` / ``OSError`` / ``NotImplementedError``
            with a message naming the file when an item is unusable.
        what: the dataset, for the message (e.g. ``"GrokLSTDataset split 'train'"``).
        hint: appended to the message when several items fail (e.g. the check_dataset
            command line that lists them all).

    Raises:
        DatasetValidationError: (or :class:`LSTValueError` when the first failure is one) with
            the first failure's message, the number of unusable items and ``hint``.
    """
    first, count = None, 0
    try:
        for item in items:
            try:
                check(item)
            except (ValueError, KeyError, OSError, NotImplementedError) as err:
                count += 1
                if first is None:
                    first = err
    finally:
        flush_cache()
    if first is None:
        return
    msg = str(first.args[0]) if isinstance(first, KeyError) and first.args else str(first)
    if count > 1:
        msg += f' (and {count - 1} more unusable file(s) in {what}{"; " + hint if hint else ""})'
    else:
        msg += f' ({what})'
    cls = LSTValueError if isinstance(first, LSTValueError) else DatasetValidationError
    raise cls(msg) from first
