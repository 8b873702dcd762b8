"""Landsat-8/9 Level-1 quality bands: one decoder for the three bit layouts USGS has shipped.

Layouts (bit 0 is the least significant bit; a two-bit *confidence* field reads 0 not
determined / none, 1 low (pre-collection: "no", 0-33 %), 2 medium ("maybe", 34-66 %),
3 high ("yes", 67-100 %)):

``precollection`` -- the ``BQA`` band of Landsat-8 products processed before Collection 1
(scene IDs such as ``LC80200392015216LGN00``; USGS *Landsat Quality Assessment (QA) Tools
User Guide*, version 1.4, April 2017, "pre-collection" QA bit designations; also the GRASS GIS
``i.landsat8.qc`` manual):
    0 designated fill, 1 dropped frame, 2 terrain occlusion, 3 reserved,
    4-5 water confidence, 6-7 reserved (cloud shadow, never populated),
    8-9 vegetation confidence, 10-11 snow/ice confidence, 12-13 cirrus confidence,
    14-15 cloud confidence.

``collection1`` -- the ``BQA`` band of Collection 1 Level-1 products (``LC08_L1TP_..._01_T1``;
USGS *Landsat 8 (L8) Data Users Handbook*, LSDS-1574, version 5, section "Landsat Collection 1
Level-1 Quality Assessment Band", and the QA Tools User Guide above):
    0 designated fill, 1 terrain occlusion, 2-3 radiometric saturation (number of saturated
    bands: 0 none, 1 one-two, 2 three-four, 3 five or more), 4 cloud, 5-6 cloud confidence,
    7-8 cloud shadow confidence, 9-10 snow/ice confidence, 11-12 cirrus confidence,
    13-15 unused (always 0).

``collection2`` -- the ``QA_PIXEL`` band of Collection 2 Level-1 products
(``LC08_L1TP_..._02_T1_QA_PIXEL.TIF``; USGS *Landsat 8-9 OLI/TIRS Collection 2 Level 1 Data
Format Control Book*, LSDS-1822, and *Landsat 8-9 Collection 2 Level 2 Science Product Guide*,
LSDS-1619, table "Pixel Quality Assessment (QA_PIXEL) Bit Index"; CFMask output):
    0 fill, 1 dilated cloud, 2 cirrus (high confidence), 3 cloud, 4 cloud shadow, 5 snow,
    6 clear (neither cloud nor dilated cloud), 7 water, 8-9 cloud confidence,
    10-11 cloud shadow confidence, 12-13 snow/ice confidence, 14-15 cirrus confidence.

The decoded fields keep one name per concept across layouts (``fill``, ``cloud_confidence``,
``cirrus_confidence``, ``snow_ice_confidence``, ...); a layout has only the fields it encodes.
Single bits decode to bool arrays, confidences to uint8 arrays in 0..3.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ['QA_LAYOUTS', 'QA_FIELDS', 'CONFIDENCE_THRESHOLDS', 'CLOUD_FLAGS', 'decode_qa',
           'detect_qa_layout', 'no_data_mask', 'cloud_mask']

#: Field name -> (first bit, number of bits) per layout (module docstring for the sources).
QA_FIELDS = {
    'precollection': {
        'fill': (0, 1), 'dropped_frame': (1, 1), 'terrain_occlusion': (2, 1),
        'water_confidence': (4, 2), 'vegetation_confidence': (8, 2),
        'snow_ice_confidence': (10, 2), 'cirrus_confidence': (12, 2),
        'cloud_confidence': (14, 2)},
    'collection1': {
        'fill': (0, 1), 'terrain_occlusion': (1, 1), 'radiometric_saturation': (2, 2),
        'cloud': (4, 1), 'cloud_confidence': (5, 2), 'cloud_shadow_confidence': (7, 2),
        'snow_ice_confidence': (9, 2), 'cirrus_confidence': (11, 2)},
    'collection2': {
        'fill': (0, 1), 'dilated_cloud': (1, 1), 'cirrus': (2, 1), 'cloud': (3, 1),
        'cloud_shadow': (4, 1), 'snow': (5, 1), 'clear': (6, 1), 'water': (7, 1),
        'cloud_confidence': (8, 2), 'cloud_shadow_confidence': (10, 2),
        'snow_ice_confidence': (12, 2), 'cirrus_confidence': (14, 2)},
}

#: The layouts :func:`decode_qa` understands.
QA_LAYOUTS = tuple(QA_FIELDS)

#: Confidence words -> lowest masked confidence value ('none': the field is not used).
#: "maybe"/"yes" are the pre-collection words for the medium/high levels of Collections 1/2.
CONFIDENCE_THRESHOLDS = {'maybe': 2, 'yes': 3, 'none': None}

#: Single-bit flags masked as cloud besides the confidences, per layout: CFMask's cloud, its
#: dilation and cloud shadow in Collection 2 (the earlier layouts have no such bits in use here).
CLOUD_FLAGS = {'precollection': (), 'collection1': (),
               'collection2': ('dilated_cloud', 'cloud', 'cloud_shadow')}

#: Flags that mean "no usable measurement" (sensor or geometry), per layout.
_NO_DATA_FIELDS = ('fill', 'dropped_frame', 'terrain_occlusion')

#: Bits that are always 0 in Collection 1 (13-15), set in every pre-collection pixel with a
#: determined cloud or cirrus confidence.
_C1_UNUSED_BITS = 0xE000


def _as_qa(qa) -> np.ndarray:
    """The QA band as uint32 after checking it holds 16-bit unsigned integers."""
    arr = np.asarray(qa)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f'QA band must be integer, got {arr.dtype}')
    if arr.size and (arr.min() < 0 or arr.max() > 0xFFFF):
        raise ValueError(f'QA band must hold 16-bit unsigned values (0..65535), found '
                         f'{arr.min()}..{arr.max()}')
    return arr.astype(np.uint32)


def detect_qa_layout(qa, qa_band: str = 'BQA') -> str:
    """The bit layout of a Landsat-8 quality band.

    A ``QA_PIXEL`` band is Collection 2. A ``BQA`` band is pre-collection when any pixel sets
    one of bits 13-15 (unused in Collection 1), otherwise Collection 1 -- a BQA band that is
    entirely fill or undetermined is read as Collection 1, which then decodes the same fill.

    Args:
        qa: Integer QA array, any shape.
        qa_band: Band name the array was read from, ``'BQA'`` or ``'QA_PIXEL'``.

    Returns:
        One of :data:`QA_LAYOUTS`.

    Raises:
        ValueError: unknown ``qa_band``, or ``qa`` not 16-bit unsigned integers.
    """
    if qa_band == 'QA_PIXEL':
        _as_qa(qa)
        return 'collection2'
    if qa_band != 'BQA':
        raise ValueError(f"unknown Landsat QA band {qa_band!r}; expected 'BQA' or 'QA_PIXEL'")
    return 'precollection' if np.any(_as_qa(qa) & _C1_UNUSED_BITS) else 'collection1'


def decode_qa(qa, layout: str) -> dict[str, np.ndarray]:
    """Split a Landsat-8/9 quality band into its named fields.

    Args:
        qa: Integer QA array, any shape (e.g. (H, W) from a BQA or QA_PIXEL GeoTIFF).
        layout: ``'precollection'``, ``'collection1'`` or ``'collection2'``
            (:data:`QA_FIELDS` lists the fields of each).

    Returns:
        Field name -> array of ``qa``'s shape: bool for single bits, uint8 in 0..3 for
        two-bit fields (confidences; Collection 1 ``radiometric_saturation``).

    Raises:
        ValueError: unknown ``layout``; ``qa`` not 16-bit unsigned integers; ``layout`` is
            ``'collection1'`` but bits 13-15 are set (they are unused in Collection 1: the band
            is probably pre-collection).
    """
    if layout not in QA_FIELDS:
        raise ValueError(f'unknown QA layout {layout!r}; expected one of {QA_LAYOUTS}')
    q = _as_qa(qa)
    if layout == 'collection1' and np.any(q & _C1_UNUSED_BITS):
        raise ValueError('QA band sets bits 13-15, which are unused in Collection 1: it is '
                         "probably a pre-collection BQA (use layout 'precollection' or 'auto')")
    out = {}
    for name, (shift, width) in QA_FIELDS[layout].items():
        value = (q >> shift) & ((1 << width) - 1)
        out[name] = value.astype(bool) if width == 1 else value.astype(np.uint8)
    return out


def no_data_mask(fields: dict[str, np.ndarray]) -> np.ndarray:
    """Pixels without a usable measurement: fill, dropped frame or terrain occlusion.

    Args:
        fields: Output of :func:`decode_qa` (any layout; absent flags count as unset).

    Returns:
        bool array of the fields' shape.
    """
    mask = np.zeros(fields['fill'].shape, bool)
    for name in _NO_DATA_FIELDS:
        if name in fields:
            mask |= fields[name]
    return mask


def cloud_mask(qa, layout: str = 'auto', cloud_min_confidence: int | None = 2,
               cirrus_min_confidence: int | None = 3, qa_band: str = 'BQA',
               also: Sequence[str] = ()) -> tuple[np.ndarray, str]:
    """Invalid pixels of a quality band: no data, cloud and cirrus, and the layout used.

    ``invalid = no_data | cloud_confidence >= cloud_min_confidence |
    cirrus_confidence >= cirrus_min_confidence | any(also)``.

    Args:
        qa: Integer QA array, any shape.
        layout: One of :data:`QA_LAYOUTS`, or ``'auto'`` (:func:`detect_qa_layout` with
            ``qa_band``).
        cloud_min_confidence: Lowest masked cloud confidence (1 low, 2 medium/maybe,
            3 high/yes); None ignores the cloud confidence.
        cirrus_min_confidence: Same for the cirrus confidence.
        qa_band: ``'BQA'`` or ``'QA_PIXEL'``, for ``layout='auto'``.
        also: Further single-bit fields of the layout to mask, e.g.
            ``('dilated_cloud', 'cloud_shadow')`` for Collection 2.

    Returns:
        ``(invalid, layout)``: bool array of ``qa``'s shape and the layout decoded.

    Raises:
        ValueError: a confidence outside 1..3, a field of ``also`` the layout lacks or that is
            not a single bit, and the errors of :func:`decode_qa` / :func:`detect_qa_layout`.
    """
    for name, value in (('cloud_min_confidence', cloud_min_confidence),
                        ('cirrus_min_confidence', cirrus_min_confidence)):
        if value is not None and value not in (1, 2, 3):
            raise ValueError(f'{name} must be 1, 2, 3 or None, got {value!r}')
    if layout == 'auto':
        layout = detect_qa_layout(qa, qa_band)
    fields = decode_qa(qa, layout)
    invalid = no_data_mask(fields)
    if cloud_min_confidence is not None:
        invalid |= fields['cloud_confidence'] >= cloud_min_confidence
    if cirrus_min_confidence is not None:
        invalid |= fields['cirrus_confidence'] >= cirrus_min_confidence
    for name in also:
        if name not in fields or fields[name].dtype != bool:
            flags = [k for k, v in fields.items() if v.dtype == bool]
            raise ValueError(f'{layout} QA has no single-bit field {name!r}; it has {flags}')
        invalid |= fields[name]
    return invalid, layout
