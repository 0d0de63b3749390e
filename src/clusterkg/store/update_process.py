"""The process that runs one SPARQL Update on an ``oxigraph:DIR`` folder, so it can be killed.

RocksDB lets one process write a folder, and a process forked from the threaded server can
deadlock in RocksDB (its background threads do not survive the fork), so the server closes its
store and starts this module as a fresh interpreter (``python -m``): it reads one request (JSON
on stdin: ``path``, ``sparql``, ``base_iri``, ``memory_mb``), opens the folder read-write, runs
the update (Oxigraph commits an update request as one transaction), closes the folder and
writes one JSON answer on stdout. Killed before the commit, it leaves nothing of the update
written. See :meth:`clusterkg.store.workers.IsolatedEngine.update`.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any

from clusterkg.store.errors import BackendError, QueryError
from clusterkg.store.oxigraph_backend import OxigraphBackend
from clusterkg.store.query_engine import store_errors


def _limit_memory(memory_mb: int) -> None:
    """Let this process map at most ``memory_mb`` MB more than it has mapped now (the query
    workers' ceiling, ``RLIMIT_AS``)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            mapped = int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return  # no /proc (not Linux): no ceiling rather than a wrong one
    limit = mapped + (memory_mb << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Run the update of ``request``; the answer: ``{"ok": true}`` or the error's name,
    message, line and column."""
    try:
        backend = OxigraphBackend(request["path"])
        try:
            with store_errors():
                backend.update(request["sparql"], base_iri=request.get("base_iri"))
        finally:
            backend.close()
        return {"ok": True}
    except QueryError as exc:
        return {
            "error": type(exc).__name__,
            "message": exc.message,
            "line": exc.line,
            "column": exc.column,
        }
    except MemoryError:
        return {"error": "QueryTooLarge", "message": ""}
    except BackendError as exc:  # the folder could not be opened
        return {"error": "BackendError", "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - the server must get an answer
        return {"error": "QueryError", "message": f"the store failed: {exc}"}


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    _limit_memory(int(request["memory_mb"]))
    sys.stdout.write(json.dumps(run(request)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
