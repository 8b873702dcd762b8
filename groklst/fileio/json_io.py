"""JSON files written atomically (dataset indices, normalization statistics, tables)."""
from __future__ import annotations

import json
import os
import uuid
from typing import Any

__all__ = ['write_json']


def write_json(path: str | os.PathLike, obj: Any, indent: int | None = 1) -> str:
    """Write ``obj`` as JSON to ``path`` so that readers never see a partial file.

    The text goes to a hidden temporary file in the destination folder, which then replaces
    ``path`` with ``os.replace`` (atomic on POSIX and Windows); on any failure the temporary
    file is removed and ``path`` keeps its previous content. The file ends with a newline.

    Args:
        path: Destination file; its folder must exist.
        obj: JSON-serializable object (dicts, lists, str, int, float, bool, None).
        indent: ``json.dump`` indentation (None: one line).

    Returns:
        ``path`` as a string.

    Raises:
        FileNotFoundError: the destination folder does not exist.
        TypeError: ``obj`` holds a value JSON cannot represent (nothing is written).
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f'cannot write {path}: folder {directory} does not exist')
    tmp = os.path.join(directory, f'.{os.path.basename(path)}.{uuid.uuid4().hex}.tmp')
    try:
        with open(tmp, 'x', encoding='utf-8') as f:
            json.dump(obj, f, indent=indent)
            f.write('\n')
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
