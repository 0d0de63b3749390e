"""Files and folders -> named graphs.

Each RDF file becomes one named graph, ``https://w3id.org/clusterkg/graph/<file stem>``; quad
formats (TriG, N-Quads) keep the graphs they name. Folders are searched recursively, in name
order, so that loading is reproducible.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from clusterkg.store.backends import Backend
from clusterkg.store.errors import LoadError
from clusterkg.store.rdf_formats import QUAD_FORMATS, RDF_SUFFIXES, format_for_suffix
from clusterkg.vocab import GRAPH

__all__ = [
    "QUAD_FORMATS",
    "RDF_SUFFIXES",
    "LoadError",
    "LoadReport",
    "discover",
    "graph_iri_for",
    "load_paths",
    "rdf_format",
]

#: Files larger than this get progress lines on stderr while they load.
PROGRESS_BYTES = 5_000_000


@dataclass(frozen=True)
class LoadReport:
    """What one file added: its graph, its triple count and how long it took."""

    path: Path
    graph: str | None
    triples: int
    seconds: float


def rdf_format(path: Path) -> str:
    """The RDF format of a file, from its ending; :class:`LoadError` for an unknown one."""
    fmt = format_for_suffix(path.suffix)
    if fmt is None:
        raise LoadError(
            path,
            f"unknown RDF file type {path.suffix!r} (known: {', '.join(sorted(RDF_SUFFIXES))})",
        )
    return fmt


def discover(paths: Iterable[Path | str]) -> list[Path]:
    """Every RDF file named, or found below a named folder, in a stable order.

    A path that does not exist is a :class:`LoadError`; files of other types inside folders
    (READMEs, notes) are skipped, but a file named explicitly must be RDF.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and format_for_suffix(p.suffix) is not None
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            rdf_format(path)
            found.append(path)
        else:
            raise LoadError(path, "no such file or folder")
    return found


def graph_iri_for(path: Path, taken: set[str] | None = None) -> str:
    """The named graph a triple file loads into: ``graph/<stem>``, made unique if ``taken``."""
    iri = str(GRAPH[path.stem])
    if taken is not None and iri in taken:
        iri = str(GRAPH[f"{path.parent.name}-{path.stem}"])
        n = 2
        base = iri
        while iri in taken:
            iri = f"{base}-{n}"
            n += 1
    return iri


def load_paths(
    backend: Backend, paths: Sequence[Path | str], *, quiet: bool = False
) -> list[LoadReport]:
    """Load files and folders into ``backend``, one named graph per triple file.

    Each file loads in its own transaction: a file with a syntax error adds nothing and stops
    the load with a :class:`LoadError` naming the file and line. Every loaded graph is also
    merged into the default graph, so that queries without ``GRAPH`` see the union as a set.
    """
    files = discover(paths)
    reports: list[LoadReport] = []
    taken: set[str] = set(backend.graph_names())
    total = len(files)
    for i, path in enumerate(files, 1):
        fmt = rdf_format(path)
        graph = None if fmt in QUAD_FORMATS else graph_iri_for(path, taken)
        size = path.stat().st_size
        if not quiet and (size > PROGRESS_BYTES or total > 50):
            print(f"loading [{i}/{total}] {path} ({size / 1e6:.1f} MB)", file=sys.stderr)
        start = time.perf_counter()
        before = backend.count(graph) if graph else backend.count()
        backend.load_file(path, fmt, graph)
        backend.merge_into_default(graph)
        after = backend.count(graph) if graph else backend.count()
        if graph:
            taken.add(graph)
        reports.append(LoadReport(path, graph, after - before, time.perf_counter() - start))
    return reports
