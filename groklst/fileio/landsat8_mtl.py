"""Landsat-8/9 Level-1 metadata (MTL) files: text (ODL) and JSON, every collection.

USGS ships the scene metadata of a Level-1 product as ``<product id>_MTL.txt`` (an ODL text of
nested ``GROUP = NAME`` ... ``END_GROUP = NAME`` blocks of ``KEY = VALUE`` lines, closed by
``END``) and, from Collection 2 on, also as ``<product id>_MTL.json`` (the same groups as nested
JSON objects, values written as strings) and ``_MTL.xml``. Sources:

* Collection 2: USGS *Landsat 8-9 OLI/TIRS Collection 2 Level 1 Data Format Control Book*
  (LSDS-1822), appendix "Level-1 Metadata File" -- root group ``LANDSAT_METADATA_FILE`` with
  ``PRODUCT_CONTENTS`` (``LANDSAT_PRODUCT_ID``, ``COLLECTION_NUMBER``, ``FILE_NAME_BAND_n``,
  ``FILE_NAME_QUALITY_L1_PIXEL``), ``IMAGE_ATTRIBUTES`` (``SPACECRAFT_ID``, ``SUN_AZIMUTH``,
  ``SUN_ELEVATION``, ``EARTH_SUN_DISTANCE``), ``LEVEL1_RADIOMETRIC_RESCALING``
  (``RADIANCE_MULT_BAND_n``, ``RADIANCE_ADD_BAND_n``, ``REFLECTANCE_MULT_BAND_n``,
  ``REFLECTANCE_ADD_BAND_n``) and ``LEVEL1_THERMAL_CONSTANTS`` (``K1_CONSTANT_BAND_10/11``,
  ``K2_CONSTANT_BAND_10/11``). The same DFCB gives the product file names
  (``LC08_L1TP_PPPRRR_YYYYMMDD_yyyymmdd_02_T1_B10.TIF``, ``..._QA_PIXEL.TIF``, ``..._MTL.txt``).
* Pre-collection and Collection 1: root group ``L1_METADATA_FILE`` with ``METADATA_FILE_INFO``,
  ``PRODUCT_METADATA`` (``SPACECRAFT_ID``), ``IMAGE_ATTRIBUTES`` (``SUN_AZIMUTH``,
  ``SUN_ELEVATION``), ``RADIOMETRIC_RESCALING`` (the same ``RADIANCE_*`` / ``REFLECTANCE_*``
  keys) and ``TIRS_THERMAL_CONSTANTS`` (the same ``K1`` / ``K2`` keys); USGS *Landsat 8 (L8)
  Data Users Handbook* (LSDS-1574), section "Level-1 Metadata File".

:func:`read_mtl` parses either file into nested dicts; :func:`calibration_from_mtl` turns the
rescaling groups into a :class:`~groklst.fileio.landsat8.Landsat8Calibration` (radiance rescaling
and K1/K2 of TIRS B10/B11, reflectance rescaling of OLI B1-B7, sun elevation and azimuth), which
:func:`~groklst.fileio.landsat8.read_landsat8_l1` uses for a folder that holds an MTL.
"""
from __future__ import annotations

import json
import os
import os.path as osp
import re
from collections.abc import Mapping

__all__ = ['MTL_SUFFIXES', 'parse_mtl_text', 'read_mtl', 'find_mtl', 'mtl_value',
           'calibration_from_mtl', 'read_mtl_calibration']

#: File name endings of the metadata files read here (any case), in order of preference.
MTL_SUFFIXES = ('_MTL.txt', '_MTL.json')

#: Groups of the rescaling values: Collection 2 name first, then pre-collection / Collection 1.
_RESCALING_GROUPS = ('LEVEL1_RADIOMETRIC_RESCALING', 'RADIOMETRIC_RESCALING')
_THERMAL_GROUPS = ('LEVEL1_THERMAL_CONSTANTS', 'TIRS_THERMAL_CONSTANTS')
_ATTRIBUTE_GROUPS = ('IMAGE_ATTRIBUTES',)
_ROOT_GROUPS = ('LANDSAT_METADATA_FILE', 'L1_METADATA_FILE')

_LINE = re.compile(r'^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$')


def _odl_value(raw: str):
    """A value of an ODL line: quoted text -> str, a number -> int / float, else the text."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    if re.fullmatch(r'[+-]?\d+', raw):
        return int(raw)
    try:
        return float(raw)
    except ValueError:
        return raw


def parse_mtl_text(text: str, source: str = '<text>') -> dict:
    """Parse the ODL text of an ``_MTL.txt`` file into nested dicts.

    ``GROUP = NAME`` opens a dict stored under ``NAME`` in the enclosing one, ``END_GROUP =
    NAME`` closes it, ``KEY = VALUE`` stores a value (quoted -> str, integer -> int, decimal or
    exponent -> float, anything else such as a date -> str), ``END`` ends the file.

    Args:
        text: File content.
        source: Name used in error messages (the path).

    Returns:
        ``{root group: {group: {key: value}}}``, e.g.
        ``out['LANDSAT_METADATA_FILE']['LEVEL1_THERMAL_CONSTANTS']['K1_CONSTANT_BAND_10']``.

    Raises:
        ValueError: a line that is not ``KEY = VALUE``, an ``END_GROUP`` that closes another
            group than the open one, a group left open, or a key given twice in one group (the
            message names ``source`` and the line number).
    """
    root: dict = {}
    stack: list[tuple[str, dict]] = [('', root)]
    ended = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.strip() == 'END':
            ended = True
            break
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f'{source}: line {number} is not KEY = VALUE: {line.strip()!r}')
        key, raw = m.group(1), m.group(2)
        where = f'{source}: line {number}'
        if key == 'GROUP':
            group: dict = {}
            parent = stack[-1][1]
            if raw in parent:
                raise ValueError(f'{where}: group {raw} given twice')
            parent[raw] = group
            stack.append((raw, group))
        elif key == 'END_GROUP':
            if len(stack) == 1 or stack[-1][0] != raw:
                raise ValueError(f'{where}: END_GROUP = {raw} but the open group is '
                                 f'{stack[-1][0] or "none"}')
            stack.pop()
        else:
            current = stack[-1][1]
            if key in current:
                raise ValueError(f'{where}: key {key} given twice in group {stack[-1][0]}')
            current[key] = _odl_value(raw)
    if len(stack) > 1:
        raise ValueError(f'{source}: group {stack[-1][0]} is never closed (END_GROUP missing'
                         f'{"" if ended else ", file truncated?"})')
    return root


def read_mtl(path: str) -> dict:
    """Read a Landsat MTL file, ``*_MTL.txt`` (ODL) or ``*_MTL.json``.

    Returns:
        Nested dicts with the root group on top (:func:`parse_mtl_text`); JSON values as
        written (Collection 2 writes every value as a string).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: unknown file ending, malformed text or JSON, or a root that is not one of
            the Landsat metadata groups (``LANDSAT_METADATA_FILE``, ``L1_METADATA_FILE``).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'MTL file not found: {path}')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    lower = path.lower()
    if lower.endswith('.json'):
        try:
            mtl = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f'{path}: not valid JSON ({exc})') from exc
    elif lower.endswith('.txt'):
        mtl = parse_mtl_text(text, path)
    else:
        raise ValueError(f'{path}: expected a *_MTL.txt or *_MTL.json file')
    if not isinstance(mtl, dict) or not any(r in mtl for r in _ROOT_GROUPS):
        found = sorted(mtl) if isinstance(mtl, dict) else type(mtl).__name__
        raise ValueError(f'{path}: expected a Landsat metadata file with root group '
                         f'{" or ".join(_ROOT_GROUPS)}, found {found}')
    return mtl


def find_mtl(folder: str) -> str | None:
    """The MTL file of a Level-1 folder, or None when it has none.

    The text file is preferred when the folder holds both ``_MTL.txt`` and ``_MTL.json`` (USGS
    delivers both with the same content); ``_MTL.xml`` is not read.

    Raises:
        FileNotFoundError: ``folder`` is not a folder.
        ValueError: several MTL files of one kind (two scenes in one folder).
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'scene folder not found: {folder}')
    files = sorted(os.listdir(folder))
    for suffix in MTL_SUFFIXES:
        hits = [f for f in files if f.lower().endswith(suffix.lower())]
        if len(hits) > 1:
            raise ValueError(f'{folder}: expected one *{suffix}, found {hits} (one scene per '
                             'folder)')
        if hits:
            return osp.join(folder, hits[0])
    return None


def _root(mtl: Mapping) -> Mapping:
    for name in _ROOT_GROUPS:
        if name in mtl:
            return mtl[name]
    return mtl


def mtl_value(mtl: Mapping, groups, key: str, source: str = 'MTL', kind=float,
              required: bool = True):
    """One value of a parsed MTL, looked up in the first of ``groups`` that holds ``key``.

    Args:
        mtl: Output of :func:`read_mtl`.
        groups: Group names to search, in order (e.g. the Collection 2 name then the
            Collection 1 one).
        key: Key, e.g. ``'K1_CONSTANT_BAND_10'``.
        source: File name for the error message.
        kind: Type the value is converted to (``float``, ``str``).
        required: Raise when the key is absent (else return None).

    Raises:
        ValueError: the key is absent (``required``) or its value does not convert.
    """
    root = _root(mtl)
    for group in groups:
        if isinstance(root.get(group), Mapping) and key in root[group]:
            value = root[group][key]
            try:
                return kind(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f'{source}: {group}.{key} = {value!r} is not a '
                                 f'{kind.__name__}') from exc
    if required:
        raise ValueError(f'{source}: no {key} in group {" or ".join(groups)}')
    return None


def calibration_from_mtl(mtl: Mapping, source: str = 'MTL'):
    """The radiometric calibration of a scene from its parsed MTL.

    TIRS B10 and B11: ``RADIANCE_MULT_BAND_n``, ``RADIANCE_ADD_BAND_n`` (W m-2 sr-1 um-1 per
    DN) of the rescaling group and ``K1_CONSTANT_BAND_n`` (W m-2 sr-1 um-1),
    ``K2_CONSTANT_BAND_n`` (K) of the thermal-constants group; OLI B1-B7:
    ``REFLECTANCE_MULT_BAND_n``, ``REFLECTANCE_ADD_BAND_n`` where present; ``SUN_ELEVATION``
    and ``SUN_AZIMUTH`` (degrees) of ``IMAGE_ATTRIBUTES``; ``SPACECRAFT_ID``.

    Args:
        mtl: Output of :func:`read_mtl`.
        source: File name for messages (stored as the calibration's ``source``).

    Returns:
        :class:`~groklst.fileio.landsat8.Landsat8Calibration`.

    Raises:
        ValueError: a TIRS constant or the sun elevation is missing or not a number; a
            non-positive radiance multiplier or K1/K2; a sun elevation outside (0, 90] degrees
            (a night scene has no reflectance to correct: the error says so).
    """
    from .landsat8 import OLI_BANDS, TIRS_BANDS, Landsat8Calibration
    tirs = {}
    for band in TIRS_BANDS:
        n = band[1:]
        c = dict(mult=mtl_value(mtl, _RESCALING_GROUPS, f'RADIANCE_MULT_BAND_{n}', source),
                 add=mtl_value(mtl, _RESCALING_GROUPS, f'RADIANCE_ADD_BAND_{n}', source),
                 k1=mtl_value(mtl, _THERMAL_GROUPS, f'K1_CONSTANT_BAND_{n}', source),
                 k2=mtl_value(mtl, _THERMAL_GROUPS, f'K2_CONSTANT_BAND_{n}', source))
        for name in ('mult', 'k1', 'k2'):
            if not c[name] > 0:
                raise ValueError(f'{source}: {band} {name} must be > 0, got {c[name]}')
        tirs[band] = c
    oli = {}
    for band in OLI_BANDS:
        n = band[1:]
        mult = mtl_value(mtl, _RESCALING_GROUPS, f'REFLECTANCE_MULT_BAND_{n}', source,
                         required=False)
        add = mtl_value(mtl, _RESCALING_GROUPS, f'REFLECTANCE_ADD_BAND_{n}', source,
                        required=False)
        if mult is not None and add is not None:
            oli[band] = (mult, add)
    elevation = mtl_value(mtl, _ATTRIBUTE_GROUPS, 'SUN_ELEVATION', source)
    if not 0 < elevation <= 90:
        raise ValueError(f'{source}: SUN_ELEVATION {elevation} deg is outside (0, 90]: a '
                         'night-time scene has no TOA reflectance (NDVI) to compute')
    azimuth = mtl_value(mtl, _ATTRIBUTE_GROUPS, 'SUN_AZIMUTH', source, required=False)
    spacecraft = mtl_value(mtl, ('IMAGE_ATTRIBUTES', 'PRODUCT_METADATA'), 'SPACECRAFT_ID',
                           source, kind=str, required=False)
    return Landsat8Calibration(tirs=tirs, oli_reflectance=oli, sun_elevation_deg=elevation,
                               sun_azimuth_deg=azimuth, spacecraft=spacecraft, source=source)


def read_mtl_calibration(path: str):
    """:func:`calibration_from_mtl` of the file ``path`` (``_MTL.txt`` or ``_MTL.json``).

    Raises:
        FileNotFoundError, ValueError: as :func:`read_mtl` and :func:`calibration_from_mtl`.
    """
    return calibration_from_mtl(read_mtl(path), path)
