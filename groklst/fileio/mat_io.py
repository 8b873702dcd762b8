"""Readers for the MATLAB ``.mat`` files of the published GrokLST dataset.

Layout of the release (Dai et al., "GrokLST: Towards High-Resolution Benchmark and Toolkit
for Land Surface Temperature Downscaling", IEEE TGRS 2025, arXiv:2409.19835, and the README
of https://github.com/GrokCV/GrokLST)::

    <root>/{30m,60m,120m,240m}/lst/<name>.mat       variable ``data``: LST in K, 2-D (H, W)
    <root>/{30m,60m,120m,240m}/guidance/<name>.mat  variables ``dem, deepblue, blue, green,
                                                      red, vre, nir, ndmvi, ndvi, ndwi``, 2-D

Both readers return channel-first ``float32`` arrays, the layout of ``CONTRACT.md``.
A variable stored with one singleton axis, ``(H, W, 1)`` or ``(1, H, W)``, is accepted and
squeezed to ``(H, W)`` (third-party loaders of the release transpose an ``(H, W, 1)`` LST
array, so both forms are tolerated); anything else that is not 2-D is rejected.
"""
import os
import os.path as osp
import zlib
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import scipy.io as sio
from scipy.io.matlab import MatReadError

#: Guidance variables of a GrokLST guidance ``.mat`` file, in the published order
#: (DEM in m, SDGSAT-1 reflectances deepblue..nir, then the ndmvi/ndvi/ndwi indices).
GROKLST_GUIDANCE_BANDS: Tuple[str, ...] = (
    'dem', 'deepblue', 'blue', 'green', 'red', 'vre', 'nir', 'ndmvi', 'ndvi', 'ndwi')

#: Name of the single variable of a GrokLST LST ``.mat`` file.
GROKLST_LST_VARIABLE = 'data'

__all__ = ['GROKLST_GUIDANCE_BANDS', 'GROKLST_LST_VARIABLE', 'MatVariableError',
           'list_mat_variables', 'read_mat_header', 'check_mat_variable', 'read_mat_lst',
           'read_mat_guidance']

#: MATLAB classes of numeric variables (``scipy.io.whosmat``'s third field).
_NUMERIC_CLASSES = frozenset({'double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32',
                              'uint32', 'int64', 'uint64', 'logical'})


class MatVariableError(KeyError, ValueError):
    """A variable requested from a ``.mat`` file is absent.

    Subclasses both :class:`KeyError` and :class:`ValueError`, so either may be caught;
    ``str()`` gives the plain message (which names the file, the missing variables and
    the variables present) instead of ``KeyError``'s quoted repr.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def _check_file(path) -> str:
    path = os.fspath(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'MAT file not found: {path!r}')
    return path


def list_mat_variables(path) -> list:
    """Names of the user variables stored in a ``.mat`` file (header entries excluded).

    Args:
        path (str | os.PathLike): the ``.mat`` file.

    Returns:
        list[str]: variable names in file order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """
    path = _check_file(path)
    try:
        return [name for name, _, _ in sio.whosmat(path)]
    except NotImplementedError as err:  # MATLAB v7.3 (HDF5) files
        raise NotImplementedError(
            f'{path!r} is a MATLAB v7.3 (HDF5) file, which scipy.io cannot read; '
            're-save it with -v7 or convert it') from err


def _check_v5_elements(path: str) -> None:
    """Check that every top-level data element of a MATLAB v5/v7 file is complete.

    A v5 file is a 128-byte header followed by data elements, each an 8-byte tag
    (type, byte count) and its bytes (uncompressed elements padded to 8 bytes). Walking the
    tags costs one small read per variable and finds a truncated file, which
    ``scipy.io.whosmat`` lists silently with fewer variables.

    Raises:
        ValueError: the header is not a v5 MAT header or an element runs past the end of the
            file (message names the file, the byte offset and the file size).
    """
    size = osp.getsize(path)
    with open(path, 'rb') as f:
        header = f.read(128)
        if len(header) < 128:
            raise ValueError(f'{path!r} is not a MAT file: {size} bytes, shorter than the '
                             '128-byte header')
        order = {b'IM': '<', b'MI': '>'}.get(header[126:128])
        if order is None:
            raise ValueError(f'{path!r} is not a MATLAB v5/v7 MAT file (no endian indicator '
                             'in its header; corrupt?)')
        pos = 128
        while pos < size:
            f.seek(pos)
            tag = f.read(8)
            if len(tag) < 8:
                raise ValueError(f'cannot read MAT file {path!r}: truncated data element tag '
                                 f'at byte {pos} of {size} (corrupt or truncated?)')
            mdtype, nbytes = np.frombuffer(tag, dtype=f'{order}u4')
            end = pos + 8 + int(nbytes)
            if mdtype != 15 and end % 8:  # miCOMPRESSED (15) elements are not padded
                end += 8 - end % 8
            if pos + 8 + int(nbytes) > size:
                raise ValueError(f'cannot read MAT file {path!r}: a variable at byte {pos} '
                                 f'declares {int(nbytes)} bytes but the file ends at byte '
                                 f'{size} (truncated?)')
            pos = end


def read_mat_header(path) -> Dict[str, Tuple[Tuple[int, ...], str]]:
    """Names, shapes and MATLAB classes of the variables of a ``.mat`` file, from its headers.

    Reads the variable headers only (``scipy.io.whosmat``), not the pixel data, and checks
    that no variable is cut short (:func:`_check_v5_elements`): cheap enough to run on every
    file of a dataset before training.

    Args:
        path (str | os.PathLike): the ``.mat`` file.

    Returns:
        dict[str, tuple[tuple[int, ...], str]]: name -> (shape, class), e.g.
        ``{'data': ((512, 512), 'single')}``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a v5/v7 MAT file, is truncated or its headers cannot be
            parsed (message names the file).
        NotImplementedError: MATLAB v7.3 (HDF5) file.
    """
    path = _check_file(path)
    try:
        entries = sio.whosmat(path)
    except NotImplementedError as err:
        raise NotImplementedError(
            f'{path!r} is a MATLAB v7.3 (HDF5) file, which scipy.io cannot read; '
            're-save it with -v7 or convert it') from err
    except (ValueError, TypeError, OSError, EOFError, IndexError, zlib.error,
            MatReadError) as err:
        raise ValueError(f'cannot read MAT file {path!r} (corrupt or truncated?): {err}') from err
    if sio.matlab.matfile_version(path)[0] == 1:  # v5 / v7 (v4 files have no elements)
        _check_v5_elements(path)
    return {name: (tuple(int(n) for n in shape), cls) for name, shape, cls in entries}


def check_mat_variable(header: Dict[str, Tuple[Tuple[int, ...], str]], path: str,
                       name: str) -> Tuple[int, int]:
    """(H, W) of variable ``name`` of a :func:`read_mat_header` result, checked as the readers
    check it (numeric, 2-D or 2-D with one singleton axis).

    Raises:
        MatVariableError: ``name`` is absent (the variables present are listed).
        ValueError: non-numeric class or not 2-D (shape and class in the message).
    """
    if name not in header:
        raise MatVariableError(f'variable {name!r} not found in {path!r}; variables present: '
                               f'{list(header)}')
    shape, cls = header[name]
    if cls not in _NUMERIC_CLASSES:
        raise ValueError(f'variable {name!r} in {path!r} is of MATLAB class {cls!r} (shape '
                         f'{shape}); expected a 2-D numeric array')
    if len(shape) == 3 and 1 in (shape[0], shape[-1]):
        shape = shape[1:] if shape[0] == 1 else shape[:2]
    if len(shape) != 2:
        raise ValueError(f'variable {name!r} in {path!r} has shape {shape}; expected a 2-D '
                         '(H, W) array (or one with a single singleton axis)')
    return shape


def _load_variables(path: str, names: Sequence[str]) -> Dict[str, np.ndarray]:
    try:
        return sio.loadmat(path, variable_names=list(names))
    except NotImplementedError as err:  # MATLAB v7.3 (HDF5) files
        raise NotImplementedError(
            f'{path!r} is a MATLAB v7.3 (HDF5) file, which scipy.io cannot read; '
            're-save it with -v7 or convert it') from err
    except (ValueError, TypeError, OSError, EOFError, IndexError, zlib.error,
            MatReadError) as err:  # scipy raises any of these on corrupt or truncated files
        raise ValueError(f'cannot read MAT file {path!r} (corrupt or truncated?): {err}') from err


def _as_2d_float32(array, path: str, name: str) -> np.ndarray:
    """Validate one stored variable and return it as a float32 (H, W) array."""
    array = np.asarray(array)
    if array.dtype.kind not in 'biuf':
        raise ValueError(
            f'variable {name!r} in {path!r} has non-numeric dtype {array.dtype} '
            f'(shape {array.shape}); expected a 2-D numeric array')
    if array.ndim == 3 and 1 in (array.shape[0], array.shape[-1]):
        array = array[0] if array.shape[0] == 1 else array[..., 0]
    if array.ndim != 2:
        raise ValueError(
            f'variable {name!r} in {path!r} has shape {array.shape}; expected a 2-D '
            '(H, W) array (or one with a single singleton axis)')
    return np.ascontiguousarray(array, dtype=np.float32)


def read_mat_lst(path, var_name: str = GROKLST_LST_VARIABLE) -> np.ndarray:
    """Read one GrokLST LST tile.

    Args:
        path (str | os.PathLike): ``<root>/<res>/lst/<name>.mat``.
        var_name (str): variable holding the LST. Defaults to ``'data'`` (the release).

    Returns:
        np.ndarray: float32 array of shape (1, H, W), LST in K as stored (integer storage
        types are cast to float32; no fill value is interpreted here).

    Raises:
        FileNotFoundError: the file does not exist (message names it).
        MatVariableError: (a ``KeyError`` and a ``ValueError``) ``var_name`` is absent;
            the message names the file, the variable and the variables present.
        ValueError: the variable is not 2-D / not numeric (message gives its shape/dtype),
            or the file cannot be parsed.
        NotImplementedError: MATLAB v7.3 (HDF5) file.
    """
    path = _check_file(path)
    content = _load_variables(path, [var_name])
    if var_name not in content:
        present = list_mat_variables(path)
        raise MatVariableError(
            f'LST variable {var_name!r} not found in {path!r}; variables present: {present}')
    return _as_2d_float32(content[var_name], path, var_name)[None]


def read_mat_guidance(path, bands: Optional[Sequence[str]] = GROKLST_GUIDANCE_BANDS
                      ) -> np.ndarray:
    """Read the guidance bands of one GrokLST tile, stacked channel-first.

    Args:
        path (str | os.PathLike): ``<root>/<res>/guidance/<name>.mat``.
        bands (Sequence[str] | str | None): variables to read, in output channel order
            (a single name reads one band). ``None`` means :data:`GROKLST_GUIDANCE_BANDS`
            (all ten, published order).

    Returns:
        np.ndarray: float32 array of shape (K, H, W), K = ``len(bands)``, channel k holding
        ``bands[k]`` in its stored units (DEM in m, reflectance / index unitless).

    Raises:
        FileNotFoundError: the file does not exist (message names it).
        MatVariableError: (a ``KeyError`` and a ``ValueError``) a requested band is absent;
            the message names the file, the missing bands and the variables present.
        ValueError: ``bands`` is empty; a band is not 2-D / not numeric (shape/dtype in the
            message); bands differ in shape; or the file cannot be parsed.
        NotImplementedError: MATLAB v7.3 (HDF5) file.
    """
    if bands is None:
        bands = GROKLST_GUIDANCE_BANDS
    bands = [bands] if isinstance(bands, str) else list(bands)
    if not bands:
        raise ValueError('bands must name at least one guidance variable')
    path = _check_file(path)
    content = _load_variables(path, bands)
    missing = [b for b in bands if b not in content]
    if missing:
        present = list_mat_variables(path)
        raise MatVariableError(
            f'guidance band(s) {missing} not found in {path!r}; variables present: {present}')
    arrays = [_as_2d_float32(content[b], path, b) for b in bands]
    shapes = {b: a.shape for b, a in zip(bands, arrays)}
    if len(set(shapes.values())) > 1:
        raise ValueError(f'guidance bands in {path!r} differ in shape: {shapes}')
    return np.stack(arrays, axis=0)
