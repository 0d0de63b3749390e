"""``clusterkg load DIR DATA...``: fill a persistent Oxigraph store, crash-safe.

Each file becomes its named graph ``graph/<stem>`` (quad files keep their graphs). A file is
first loaded into a staging graph (one Oxigraph transaction), then swapped in by one SPARQL
update (``DROP`` + ``ADD`` + ``DROP``, also one transaction). A crash at any point leaves every
graph either as it was or fully replaced; a staging graph left by a crash is removed by the
next load.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from clusterkg.config import Settings
from clusterkg.store.backends import BackendError, OxigraphBackend
from clusterkg.store.loader import QUAD_FORMATS, LoadError, LoadReport, discover, rdf_format
from clusterkg.vocab import GRAPH

STAGING = str(GRAPH["staging-"])


class LoadProblem(Exception):
    """The store cannot be opened or a file cannot be loaded (file and line in the text)."""


def load_store(
    directory: Path, data: Sequence[Path], settings: Settings, *, bundled: bool = True
) -> list[LoadReport]:
    """Load the bundled graphs (unless ``bundled`` is false) and ``data`` into ``directory``."""
    import time

    try:
        directory.mkdir(parents=True, exist_ok=True)
        backend = OxigraphBackend(directory)
    except (BackendError, OSError) as exc:
        raise LoadProblem(str(exc)) from None
    try:
        for name in backend.graph_names():
            if name.startswith(STAGING):
                backend.drop_graph(name)
        paths = [*(settings.bundled_paths() if bundled else []), *data]
        try:
            files = discover(paths)
        except LoadError as exc:
            raise LoadProblem(str(exc)) from None
        reports = []
        for path in files:
            start = time.perf_counter()
            fmt = rdf_format(path)
            try:
                if fmt in QUAD_FORMATS:
                    before = backend.count()
                    backend.load_file(path, fmt, None)
                    reports.append(
                        LoadReport(
                            path, None, backend.count() - before, time.perf_counter() - start
                        )
                    )
                    continue
                graph = str(GRAPH[path.stem])
                staging = f"{STAGING}{uuid.uuid4().hex}"
                backend.load_file(path, fmt, staging)
            except LoadError as exc:
                raise LoadProblem(str(exc)) from None
            backend.update(
                f"DROP SILENT GRAPH <{graph}> ; ADD <{staging}> TO <{graph}> ; "
                f"DROP GRAPH <{staging}>"
            )
            reports.append(
                LoadReport(path, graph, backend.count(graph), time.perf_counter() - start)
            )
        return reports
    finally:
        backend.close()
