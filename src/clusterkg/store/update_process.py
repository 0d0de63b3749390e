"""The process that runs one SPARQL Update on an ``oxigraph:DIR`` folder, so it can be killed.

RocksDB lets one process write a folder, and a process forked from the threaded server can
deadlock in RocksDB (its background threads do not survive the fork), so the server closes its
store and runs this file as a script in a fresh interpreter. It reads one request (JSON on
stdin: ``path``, ``sparql``, ``base_iri``, ``memory_mb``), opens the folder read-write, runs the
update (Oxigraph commits an update request as one transaction), flushes, and writes one JSON
answer on stdout: ``{"ok": true}`` or the kind and message of what went wrong, which the server
turns into its errors for people. Killed before the commit, it leaves nothing of the update
written. See :meth:`clusterkg.store.workers.IsolatedEngine.update`.

It imports only the standard library and pyoxigraph (run by path, not as part of the clusterkg
package, whose imports would take about 0.3 s of every update).
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any


def limit_memory(memory_mb: int) -> None:
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
    """Run the update of ``request``: ``{"ok": true}``, or ``{"error": KIND, "message": ...}``
    with KIND ``open`` (the folder could not be opened), ``SyntaxError``, ``RuntimeError``
    (Oxigraph refused an operation), ``OSError``, ``MemoryError`` or ``Exception``."""
    import pyoxigraph as ox

    try:
        store = ox.Store(request["path"])
    except OSError as exc:
        return {"error": "open", "message": str(exc)}
    try:
        store.update(request["sparql"], base_iri=request.get("base_iri"))
        store.flush()
    except SyntaxError as exc:
        return {"error": "SyntaxError", "message": str(getattr(exc, "msg", None) or exc)}
    except MemoryError:
        return {"error": "MemoryError", "message": ""}
    except (RuntimeError, OSError) as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - the server must get an answer
        return {"error": "Exception", "message": str(exc)}
    return {"ok": True}


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    limit_memory(int(request["memory_mb"]))
    sys.stdout.write(json.dumps(run(request)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
