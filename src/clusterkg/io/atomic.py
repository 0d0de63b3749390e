"""Writes that either happen completely or not at all.

Files: the new content goes to a temporary file in the same folder, is flushed to disk, and
replaces the target with :func:`os.replace` (an atomic rename on POSIX and Windows), so a
process killed mid-write leaves the old file (and a temporary file, which the next write of
that target removes). Stores: one load call, which Oxigraph applies as
one transaction and a SPARQL server as one update request.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import tempfile
import time
from pathlib import Path

from clusterkg.config import Settings

#: Seconds to wait just before the commit step (rename / store update). Read only here and by
#: the store write, so that tests can kill an import exactly at its write step.
PAUSE_ENV = "CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT"


def pause_before_commit(what: str) -> None:
    """Test hook: with ``$CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT`` set, say so on stderr and wait."""
    seconds = Settings.from_env().pause_before_commit
    if not seconds:
        return
    print(f"clusterkg-test: about to commit {what}", file=sys.stderr, flush=True)
    time.sleep(seconds)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete temporary files of ``path`` left by writer processes that were killed.

    A killed process cannot delete its temporary file, so the next write of the same target
    does: the name carries the writer's process id, and only files of dead writers go.
    """
    removed = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically (temp file + fsync + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
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
        pause_before_commit(str(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_files_atomic(files: dict[Path, bytes]) -> None:
    """Write several files, each atomically (used for nodes.csv + edges.csv)."""
    for path, data in files.items():
        write_bytes_atomic(path, data)
