"""Whole-file writes for the analysis tools."""
import os
import pathlib
import tempfile


def write_whole(path, text):
    """Writes `text` (str, or bytes for a binary file) to `path` through a new temporary file beside it
    and a rename: a reader sees the old file or the whole new one, and no existing file (such as a
    user's own PATH.tmp) is touched."""
    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".tmp.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if isinstance(text, bytes) else "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
