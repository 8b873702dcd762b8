"""Retrieval on images by windows: inputs -> per-pixel method -> LST (+ LSE) and QA GeoTIFFs.

:func:`retrieve_image` runs a method of :mod:`.methods` (classical or learned) on image inputs
of :mod:`.inputs` window by window (``window`` x ``window`` px; the Level-1 cloud mask on
windows grown by the cloud buffer), so memory is bounded by the window size, not the scene's:

1. every input the method needs is checked first (presence, units and range over the whole
   raster, the method's own limits on scene-wide values such as the single-channel WVC range);
   a failure is one ``ValueError`` and nothing is written;
2. per window: the inputs are read, pixels with no data or masked by the quality band are
   skipped, the method runs on the others and sets its QA bits (learned methods: out of the
   training domain, :data:`~.methods.QA_BITS`);
3. the outputs go to two GeoTIFFs written window by window to temporary files and moved into
   place together only when every window succeeded: ``out`` (float32, one band per output,
   e.g. ``lst`` in K and ``lse:B10``; nodata NaN; CRS and transform of the input grid) and
   ``<out stem>_qa.tif`` (uint8 QA bits, 0 = retrieved inside the training domain).

Out-of-domain pixels keep their value (flagged) unless ``mask_out_of_domain``; the log counts
them per reason.
"""
from __future__ import annotations

import os
import os.path as osp
import time
from typing import Callable, Dict, Iterable, Optional, Sequence, Tuple, Union

import numpy as np

from ...fileio.landsat8 import Landsat8L1Scene
from ...fileio.raster import WindowedRasterWriter, iter_windows
from .classical import CLASSICAL_METHODS
from .inputs import ImageInputs, Landsat8L1Inputs
from .methods import (QA_BITS, QA_MASKED, QA_NO_DATA, QA_OUT_OF_DOMAIN, SingleChannelMethod,
                      SplitWindowMethod)

__all__ = ['LANDSAT_LEARNED_METHODS', 'RETRIEVAL_METHODS', 'DEFAULT_WINDOW', 'build_method',
           'retrieval_windows', 'retrieve_image', 'retrieve_arrays', 'retrieve_scene_arrays',
           'qa_path_for']

#: Shipped learned retrievers that run on a Landsat-8/9 scene (B10 / B11).
LANDSAT_LEARNED_METHODS = ('mlp', 'pinn', 'sftl')
#: Methods a Landsat Level-1 scene can be retrieved with by name.
RETRIEVAL_METHODS = CLASSICAL_METHODS + LANDSAT_LEARNED_METHODS
#: Default window size (px): a multiple of the output tile size (256).
DEFAULT_WINDOW = 512

def build_method(method: Optional[str] = None, config=None, checkpoint: Optional[str] = None,
                 sw_coefficients: str = 'jm2014', du2015_table=None,
                 log: Callable[[str], None] = print):
    """A per-pixel method by name, or a learned retriever from a config (and checkpoint).

    Args:
        method: ``'split_window'``, ``'single_channel'`` or a shipped learned retriever
            (:data:`~.weights.SHIPPED_METHODS`: ``'mlp'``, ``'pinn'``, ``'sftl'``,
            ``'akkd_teacher'``); None with ``config``.
        config: A retrieval config (path); its checkpoint is ``checkpoint`` or, when None, the
            shipped weights made from this config.
        checkpoint: Weights of ``config``.
        sw_coefficients, du2015_table: For ``'split_window'``.

    Raises:
        ValueError: unknown method; both or neither of ``method`` and ``config``; a config
            without shipped weights and no checkpoint.
        FileNotFoundError: config or checkpoint missing.
    """
    from .methods import learned_method_from_config
    from .weights import SHIPPED_METHODS, load_shipped_method, shipped_entry_for_config
    if (method is None) == (config is None):
        raise ValueError('give either a method name or a config (with or without checkpoint)')
    if config is not None:
        if checkpoint is None:
            entry = shipped_entry_for_config(config)
            if entry is None:
                raise ValueError(f'{config} has no shipped weights: give --checkpoint (shipped '
                                 f'configs: see data/weights/retrieval/README.md)')
            return load_shipped_method(entry['name'], log)
        return learned_method_from_config(config, checkpoint, log=log)
    if checkpoint is not None:
        raise ValueError('a checkpoint belongs to a config: give --config with --checkpoint')
    if method == 'split_window':
        return SplitWindowMethod(sw_coefficients, du2015_table)
    if method == 'single_channel':
        return SingleChannelMethod()
    if method in SHIPPED_METHODS:
        return load_shipped_method(method, log)
    raise ValueError(f'unknown method {method!r}; expected one of '
                     f'{CLASSICAL_METHODS + SHIPPED_METHODS} or a --config')


def qa_path_for(out: str) -> str:
    """``lst.tif`` -> ``lst_qa.tif`` (the QA GeoTIFF next to an output)."""
    stem, ext = osp.splitext(out)
    return f'{stem}_qa{ext or ".tif"}'


def retrieval_windows(inputs: ImageInputs, methods: Sequence, window: int = DEFAULT_WINDOW,
                      extra: Sequence[str] = (), log: Callable[[str], None] = print
                      ) -> Iterable[Tuple[object, Dict[str, Tuple[np.ndarray, np.ndarray]],
                                          dict]]:
    """Run methods on the inputs window by window (module docstring, steps 1-2).

    Args:
        inputs: Image inputs (checked here before the first window).
        methods: Per-pixel methods, run on the same inputs of each window.
        window: Window size in px.
        extra: Further inputs to read and yield (e.g. ``'ndvi'``).

    Yields:
        ``(window, {method name: (outputs (T, h, w) float32, qa (h, w) uint8)}, values)``
        with ``values`` the inputs read (``{name: (h, w)}``).

    Raises:
        ValueError: an input missing or out of range; a scene-wide value the method refuses.
    """
    needs = sorted(set().union(*[m.required_inputs for m in methods]) | set(extra))
    inputs.check(needs, log, window)
    for m in methods:
        m.check_scalars(inputs.scalars)
    for win in iter_windows(*inputs.grid.shape, window):
        values, no_data, masked = inputs.read(win, needs)
        todo = ~no_data & ~masked
        base_qa = np.where(no_data, QA_NO_DATA, 0).astype(np.uint8)
        base_qa |= np.where(masked, QA_MASKED | QA_NO_DATA, 0).astype(np.uint8)
        results = {}
        for m in methods:
            out = np.full((len(m.outputs),) + todo.shape, np.nan, np.float32)
            qa = base_qa.copy()
            if todo.any():
                y, flags = m({n: values[n][todo] for n in m.required_inputs})
                bad = ~np.isfinite(y).all(axis=0)
                flags = flags | np.where(bad, QA_NO_DATA, 0).astype(np.uint8)
                y = np.where(bad, np.nan, y)
                out[:, todo] = y
                qa[todo] |= flags
            results[m.name] = (out, qa)
        yield win, results, values


class _Summary:
    """Pixel counts per QA bit and an LST histogram (0.01 K bins) for the log and the info."""

    EDGES = (100.0, 500.0, 0.01)

    def __init__(self) -> None:
        lo, hi, step = self.EDGES
        self.hist = np.zeros(int(round((hi - lo) / step)), np.int64)
        self.total = 0
        self.bits = {bit: 0 for bit in QA_BITS}
        self.ood = 0
        self.lst_min, self.lst_max = np.inf, -np.inf

    def add(self, lst: np.ndarray, qa: np.ndarray) -> None:
        self.total += qa.size
        for bit in self.bits:
            self.bits[bit] += int(np.count_nonzero(qa & bit))
        self.ood += int(np.count_nonzero(qa & QA_OUT_OF_DOMAIN))
        v = lst[np.isfinite(lst)]
        if v.size:
            self.lst_min, self.lst_max = min(self.lst_min, float(v.min())), \
                max(self.lst_max, float(v.max()))
            lo, hi, step = self.EDGES
            idx = np.clip(((v - lo) / step).astype(np.int64), 0, self.hist.size - 1)
            self.hist += np.bincount(idx, minlength=self.hist.size)

    def info(self) -> dict:
        n = int(self.hist.sum())
        median = None
        if n:
            lo, _, step = self.EDGES
            k = int(np.searchsorted(np.cumsum(self.hist), (n + 1) / 2))
            median = lo + (k + 0.5) * step
        retrieved = self.total - self.bits[QA_NO_DATA]
        return dict(pixels=self.total, valid_fraction=n / self.total if self.total else 0.0,
                    masked=self.bits[QA_MASKED],
                    no_data=self.bits[QA_NO_DATA] - self.bits[QA_MASKED],
                    out_of_domain=self.ood,
                    out_of_domain_fraction=self.ood / retrieved if retrieved else 0.0,
                    flags={QA_BITS[b]: c for b, c in self.bits.items()},
                    lst_min=self.lst_min if n else None, lst_median=median,
                    lst_max=self.lst_max if n else None)


def _log_summary(name: str, info: dict, log: Callable[[str], None]) -> None:
    retrieved = info['pixels'] - info['masked'] - info['no_data']
    log(f'{name}: {info["pixels"]} px; masked {info["masked"]}, no data {info["no_data"]}, '
        f'retrieved {retrieved}')
    if info['lst_median'] is not None:
        log(f'{name}: LST {info["lst_min"]:.2f} .. {info["lst_max"]:.2f} K, median '
            f'{info["lst_median"]:.2f} K')
    reasons = {k: v for k, v in info['flags'].items() if v and k not in (
        QA_BITS[QA_NO_DATA], QA_BITS[QA_MASKED])}
    log(f'{name}: out of the training domain: {info["out_of_domain"]} px '
        f'({100 * info["out_of_domain_fraction"]:.2f} % of retrieved)'
        + (''.join(f'; {k}: {v}' for k, v in reasons.items()) if reasons else ''))


def retrieve_image(inputs: ImageInputs, method, out: str, window: int = DEFAULT_WINDOW,
                   qa_out: Optional[str] = None, mask_out_of_domain: bool = False,
                   log: Callable[[str], None] = print) -> dict:
    """Retrieve LST (and the method's other outputs) on image inputs and write GeoTIFFs.

    Args:
        inputs: :class:`~.inputs.Landsat8L1Inputs` or :class:`~.inputs.RasterInputs`.
        method: A method of :mod:`.methods` (:func:`build_method`).
        out: Output GeoTIFF (float32, a band per output, nodata NaN); its folder is created.
        window: Window size in px (memory is bounded by it).
        qa_out: QA GeoTIFF (uint8 bits of :data:`~.methods.QA_BITS`); default
            :func:`qa_path_for` ``(out)``.
        mask_out_of_domain: Write NaN where an input is outside the training domain (the QA
            bits stay).
        log: Receives the log lines.

    Returns:
        ``dict(paths=[out, qa_out], shape=(H, W), window, windows, seconds, **summary)`` with
        the summary of counts (``masked``, ``no_data``, ``out_of_domain``,
        ``out_of_domain_fraction``, ``flags`` per reason) and LST statistics (``lst_min``,
        ``lst_median`` to 0.01 K, ``lst_max``).

    Raises:
        ValueError: bad inputs (nothing is written); the method's own errors.
    """
    t0 = time.perf_counter()
    qa_out = qa_out or qa_path_for(out)
    if osp.abspath(qa_out) == osp.abspath(out):
        raise ValueError(f'the QA output {qa_out} is the output itself')
    log(f'{method.name}: {getattr(method, "description", method.name)} on '
        f'{inputs.describe()}')
    if getattr(method, 'domain', None) is not None:
        log(f'{method.name}: training domain ' + ', '.join(method.describe_domain()))
    windows = retrieval_windows(inputs, [method], window, log=log)
    first = next(windows)  # the checks of step 1 run here, before any file is opened
    os.makedirs(osp.dirname(osp.abspath(out)) or '.', exist_ok=True)
    g = inputs.grid
    writers = []
    summary = _Summary()
    n_win = 0
    try:
        writers.append(WindowedRasterWriter(out, len(method.outputs), g.height, g.width,
                                            'float32', g.crs, g.transform, float('nan'),
                                            method.outputs, method.units))
        writers.append(WindowedRasterWriter(qa_out, 1, g.height, g.width, 'uint8', g.crs,
                                            g.transform, None, [f'qa_{method.name}'], None))
        for win, results, _ in _chain(first, windows):
            arr, qa = results[method.name]
            if mask_out_of_domain:
                arr = np.where((qa & QA_OUT_OF_DOMAIN) > 0, np.nan, arr).astype(np.float32)
            writers[0].write(arr, win)
            writers[1].write(qa[None], win)
            summary.add(arr[0], qa)
            n_win += 1
        for w in writers:
            w.commit()
    except BaseException:
        for w in writers:
            w.abort()
        raise
    info = summary.info()
    _log_summary(method.name, info, log)
    log(f'{method.name}: wrote {out} ({", ".join(method.outputs)}) and {qa_out} in {n_win} '
        f'windows of {window} px')
    return dict(info, paths=[out, qa_out], shape=g.shape, window=window, windows=n_win,
                seconds=time.perf_counter() - t0)


def _chain(first, rest):
    yield first
    yield from rest


def retrieve_arrays(inputs: ImageInputs, method, window: int = DEFAULT_WINDOW,
                    log: Callable[[str], None] = print) -> Tuple[np.ndarray, np.ndarray, dict]:
    """:func:`retrieve_image` into memory: ``(outputs (T, H, W) float32, qa (H, W) uint8,
    summary)`` (for scenes that fit in memory, e.g. the L1 -> LST -> downscaled pipeline)."""
    g = inputs.grid
    out = np.full((len(method.outputs), g.height, g.width), np.nan, np.float32)
    qa = np.zeros(g.shape, np.uint8)
    summary = _Summary()
    for win, results, _ in retrieval_windows(inputs, [method], window, log=log):
        r0, c0 = int(win.row_off), int(win.col_off)
        sl = (slice(r0, r0 + int(win.height)), slice(c0, c0 + int(win.width)))
        a, q = results[method.name]
        out[(slice(None),) + sl], qa[sl] = a, q
        summary.add(a[0], q)
    return out, qa, summary.info()


def retrieve_scene_arrays(scene: Union[str, Landsat8L1Scene], wvc: float, method: str,
                          qa_layout: str = 'auto', cloud_confidence: int = 2,
                          cloud_buffer: int = 3, btd_range=None, view_zenith: float = 0.0,
                          window: int = DEFAULT_WINDOW, log: Callable[[str], None] = None
                          ) -> Tuple[np.ndarray, dict, dict]:
    """LST of a Landsat-8/9 Level-1 scene by a shipped learned retriever, in memory.

    The counterpart of :func:`~.classical.retrieve_lst` for ``'mlp'``, ``'pinn'``, ``'sftl'``:
    same arguments, same ``(lst (H, W) float32 K NaN = nodata, profile, info)``; ``info`` adds
    the out-of-domain counts (those pixels keep their value).

    Raises:
        ValueError: unknown method; the errors of the inputs and the method.
    """
    if method not in LANDSAT_LEARNED_METHODS:
        raise ValueError(f'unknown method {method!r}; expected one of {RETRIEVAL_METHODS}')
    log = log or (lambda line: None)
    inputs = Landsat8L1Inputs(scene, wvc, view_zenith, qa_layout=qa_layout,
                              cloud_confidence=cloud_confidence, cloud_buffer=cloud_buffer,
                              btd_range=btd_range, log=log)
    with inputs:
        m = build_method(method, log=log)
        out, _, info = retrieve_arrays(inputs, m, window, log=log)
        profile = dict(crs=inputs.grid.crs, transform=inputs.grid.transform,
                       height=inputs.grid.height, width=inputs.grid.width)
        info['qa_layout'] = inputs.qa_layout
    return out[0], profile, info
