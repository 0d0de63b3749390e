"""Opening the knowledge graph: a backend, its bundled and extra data, and its query engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from clusterkg.config import Settings
from clusterkg.store.backends import Backend, open_backend
from clusterkg.store.cache import GenerationCache
from clusterkg.store.engine import QueryEngine
from clusterkg.store.loader import LoadReport, load_paths

T = TypeVar("T")


@dataclass
class KnowledgeGraph:
    """A store with its engine and what was loaded into it."""

    backend: Backend
    engine: QueryEngine
    settings: Settings
    loaded: list[LoadReport] = field(default_factory=list)
    #: The one cache of values derived from this graph (views, projections, indexes).
    cache: GenerationCache = field(default_factory=GenerationCache)

    def query(self, sparql: str, **kwargs: Any) -> Any:
        """Shortcut for ``self.engine.query``."""
        return self.engine.query(sparql, **kwargs)

    @property
    def generation(self) -> int:
        """The store's change counter: it grows with every load, update or drop."""
        return int(getattr(self.backend, "generation", 0) or 0)

    def cached(self, key: Any, make: Callable[[], T]) -> T:
        """``make()`` once per ``key`` and state of the store (see :mod:`clusterkg.store.cache`)."""
        return self.cache.get(self.generation, key, make)

    def close(self) -> None:
        self.backend.close()


def open_kg(
    settings: Settings | None = None, *, extra: Sequence[Path | str] = (), quiet: bool = True
) -> KnowledgeGraph:
    """Open the store named by ``settings.store`` and load the bundled graphs and ``extra``.

    A persistent or remote store that already holds the bundled graphs is not loaded again;
    ``extra`` files are always loaded.
    """
    settings = settings or Settings.from_env()
    backend = open_backend(settings.store)
    paths: list[Path | str] = []
    if settings.load_bundled:
        if settings.store == "memory" or not backend.graph_names():
            paths.extend(settings.bundled_paths())
    paths.extend(settings.data)
    paths.extend(extra)
    reports = load_paths(backend, paths, quiet=quiet) if paths else []
    engine = QueryEngine(
        backend,
        timeout=settings.query_timeout,
        row_limit=settings.row_limit,
        service_allowlist=settings.service_allowlist,
        allow_updates=bool(settings.update_token),
    )
    return KnowledgeGraph(backend, engine, settings, reports)
