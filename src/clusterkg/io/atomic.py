"""Writes that either happen completely or not at all.

Files: the new content goes to a temporary file in the same folder, is flushed to disk, and
replaces the target with :func:`os.replace` (an atomic rename on POSIX and Windows), so a
process killed mid-write leaves the old file. Stores: one load call, which Oxigraph applies as
one transaction and a SPARQL server as one update request.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically (temp file + fsync + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # mkstemp makes 0600; a new file gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_files_atomic(files: dict[Path, bytes]) -> None:
    """Write several files, each atomically (used for nodes.csv + edges.csv)."""
    for path, data in files.items():
        write_bytes_atomic(path, data)
