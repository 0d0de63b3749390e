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
from clusterkg.errors import UnusableInput
from clusterkg.store.backends import BackendError, OxigraphBackend
from clusterkg.store.graph_files import LoadError, LoadReport, discover, rdf_format
from clusterkg.store.rdf_formats import QUAD_FORMATS
from clusterkg.vocab import GRAPH

STAGING = str(GRAPH["staging-"])


class LoadProblem(UnusableInput):
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
                backend.update(f"DROP GRAPH <{name}>")  # never merged into the default graph
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
                    backend.merge_into_default(None)
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
            backend.update(_swap(graph, staging))
            reports.append(
                LoadReport(path, graph, backend.count(graph), time.perf_counter() - start)
            )
        return reports
    finally:
        backend.close()


def _swap(graph: str, staging: str) -> str:
    """One update: the old graph's own triples leave the default graph (the merge of the
    named graphs), the staged file replaces the graph and joins the default graph."""
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} "
        f"FILTER (?other != <{graph}> && ?other != <{staging}>) }} }} ;\n"
        f"DROP SILENT GRAPH <{graph}> ;\n"
        f"ADD <{staging}> TO <{graph}> ;\n"
        f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }} ;\n"
        f"DROP GRAPH <{staging}>"
    )
