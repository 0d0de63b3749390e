"""Opening the knowledge graph: a backend, its bundled and extra data, and its query engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from clusterkg.config import Settings
from clusterkg.store.backends import Backend, open_backend
from clusterkg.store.cache import GenerationCache
from clusterkg.store.graph_files import LoadReport, load_paths
from clusterkg.store.oxigraph_backend import OxigraphBackend
from clusterkg.store.query_engine import QueryEngine, RemoteEngine
from clusterkg.store.remote_backend import RemoteBackend
from clusterkg.store.workers import GuardedBackend, IsolatedEngine

T = TypeVar("T")

#: Query worker processes of an isolated engine when neither the caller nor the settings say.
DEFAULT_WORKERS = 4


@dataclass
class KnowledgeGraph:
    """A store with its engine and what was loaded into it."""

    backend: GuardedBackend
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
        return self.backend.generation

    def cached(self, key: Any, make: Callable[[], T]) -> T:
        """``make()`` once per ``key`` and state of the store (see :mod:`clusterkg.store.cache`)."""
        return self.cache.get(self.generation, key, make)

    def close(self) -> None:
        self.backend.close()


def build_engine(
    backend: GuardedBackend, settings: Settings, *, isolated: bool, workers: int | None
) -> QueryEngine:
    """The engine for ``backend`` under ``settings``' limits.

    A remote store gets a :class:`RemoteEngine` (the HTTP wait is the limit); an Oxigraph store
    an :class:`IsolatedEngine` of ``workers`` processes when ``isolated`` (a runaway query is
    killed at its limit), else a plain :class:`QueryEngine` in this process.
    """
    common: dict[str, Any] = {
        "timeout": settings.query_timeout,
        "row_limit": settings.row_limit,
        "service_allowlist": settings.service_allowlist,
        "allow_updates": bool(settings.update_token),
        "result_max_bytes": settings.result_max_bytes,
    }
    if isinstance(backend.raw, RemoteBackend):
        return RemoteEngine(backend, **common)
    if isolated and isinstance(backend.raw, OxigraphBackend):
        return IsolatedEngine(
            backend,
            workers=workers or DEFAULT_WORKERS,
            memory_mb=settings.worker_memory_mb,
            **common,
        )
    return QueryEngine(backend, **common)


def open_kg(
    settings: Settings | None = None,
    *,
    isolated: bool = False,
    workers: int | None = None,
    extra: Sequence[Path | str] = (),
    quiet: bool = True,
    create: bool = True,
) -> KnowledgeGraph:
    """Open the store named by ``settings.store`` and load the bundled graphs and ``extra``.

    A persistent or remote store that already holds the bundled graphs is not loaded again;
    ``extra`` files are always loaded. With ``isolated``, queries on an Oxigraph store run in
    ``workers`` killable processes (default :data:`DEFAULT_WORKERS`), forked lazily at the
    first query, i.e. after loading, so a worker never loads anything itself. Unless
    ``create``, an ``oxigraph:DIR`` folder that does not exist is refused (a mistyped path
    must not become a new store), not made.
    """
    settings = settings or Settings.from_env()
    raw: Backend = open_backend(settings.store, token=settings.remote_token, create=create)
    backend = GuardedBackend(raw)
    try:
        paths: list[Path | str] = []
        if settings.load_bundled:
            if settings.store == "memory" or not backend.graph_names():
                paths.extend(settings.bundled_paths())
        paths.extend(settings.data)
        paths.extend(extra)
        reports = load_paths(backend, paths, quiet=quiet) if paths else []
    except BaseException:
        backend.close()  # a failed load must not keep an oxigraph:DIR folder locked
        raise
    engine = build_engine(backend, settings, isolated=isolated, workers=workers)
    return KnowledgeGraph(backend, engine, settings, reports)
