"""Writing text reports (markdown tables, JSON metrics) without leaving half-written files."""
import os
import os.path as osp
import tempfile
from typing import Iterable


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Permission mask of the process, read once: new files get ``0o666 & ~_UMASK`` like ``open``.
_UMASK = _read_umask()


def write_text(path: str, text: str) -> str:
    """Write ``text`` to ``path`` atomically and return ``path``.

    The parent folders are created; the text goes to a temporary file in the same folder that
    then replaces ``path`` (``os.replace``), so a reader never sees a partial file and a failed
    write leaves any previous file intact.

    Raises:
        OSError: the folder cannot be created or written.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + osp.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def publish(lines: Iterable[str], path: str) -> str:
    """Write markdown ``lines`` joined by newlines to ``path`` (:func:`write_text`), print the
    text and where it went; return the text.

    Used by the tools that regenerate committed documents (``docs/physics/*.md``).
    """
    text = '\n'.join(lines)
    write_text(path, text)
    print(text)
    print(f'wrote {path}')
    return text
