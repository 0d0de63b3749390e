"""Writes that either happen completely or not at all.

Files: the new content goes to a temporary file in the same folder, is flushed to disk, and
replaces the target with :func:`os.replace` (an atomic rename on POSIX and Windows), so a
process killed mid-write leaves the old file (and a temporary file, which the next write of
that target removes). Stores: one load call, which Oxigraph applies as
one transaction and a SPARQL server as one update request.

Read-merge-write (an import appends to a file, or checks a store and then adds to it) is made
safe against a second writer by :func:`target_lock`: an exclusive ``flock`` on a lock file
beside the target, held from the first read to the last write, so two imports into one target
run one after the other and both land.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from clusterkg.config import Settings
from clusterkg.errors import Finding

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


#: Seconds a writer waits for another writer of the same target before it gives up.
LOCK_WAIT = 300.0
#: Seconds between two tries for the lock.
LOCK_POLL = 0.1


class TargetBusy(Finding):
    """Another process held the target's lock for longer than the wait; nothing was written."""


def lock_file(target: Path) -> Path:
    """The lock file of ``target``: ``.clusterkg-lock.NAME`` in the same folder (a store
    folder's beside it). The name does not start with ``.NAME.``, the temporaries' pattern."""
    target = Path(target).absolute()
    return target.parent / f".clusterkg-lock.{target.name}"


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def target_lock(target: Path | str, wait: float | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of ``target`` (a file or a store folder) for the ``with`` block.

    Waits up to ``wait`` seconds (default :data:`LOCK_WAIT`) for another holder, then raises
    :class:`TargetBusy` naming the target and the holder's process id. The lock is an
    ``flock`` on :func:`lock_file`, which the kernel releases when the holder exits, even when
    it is killed. The holder removes the file before releasing it; so a waiter that got the
    lock checks that its file is still the one at the path, and tries again if not (otherwise
    two writers could hold two different files of the same name).
    """
    wait = LOCK_WAIT if wait is None else wait
    path = lock_file(Path(target))
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            if time.monotonic() >= deadline:
                raise TargetBusy(
                    f"{target}: another import (process {holder}) has been writing it for "
                    f"more than {wait:g} s; nothing was written, try again when it ends"
                ) from None
            time.sleep(LOCK_POLL)
            continue
        if _same_file(fd, path):
            break
        os.close(fd)  # the previous holder removed it after we opened it: take the new one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def import_target(into: Path | str | None, store: str | None) -> Path | None:
    """What an import writes that another process could write at the same time: the
    ``--into`` file or an ``oxigraph:DIR`` folder (a memory store is private to the process,
    and a SPARQL server applies each update request whole); ``None`` when there is no such."""
    if into is not None:
        return Path(into)
    if store and store.strip().startswith("oxigraph:") and store.split(":", 1)[1]:
        return Path(store.strip().split(":", 1)[1])
    return None


@contextlib.contextmanager
def import_lock(into: Path | str | None, store: str | None) -> Iterator[Path | None]:
    """Hold :func:`target_lock` of an import's target (:func:`import_target`), if it has one.

    Every import (CSV or RML) takes it from the first read of its target to the write, so a
    second import of the same target waits and then merges with the first's result, or is
    refused with :class:`TargetBusy`; it never overwrites the first's rows.
    """
    target = import_target(into, store)
    if target is None:
        yield None
        return
    with target_lock(target) as path:
        yield path


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
