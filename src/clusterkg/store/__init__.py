"""Loading RDF into named graphs, the store backends and the one query path (layer 2)."""

from clusterkg.store.backends import (
    Backend,
    BackendError,
    OxigraphBackend,
    RemoteBackend,
    open_backend,
)
from clusterkg.store.graph_files import LoadError, LoadReport, discover, graph_iri_for, load_paths
from clusterkg.store.query_engine import (
    QueryEngine,
    QueryError,
    QueryRefused,
    QueryResult,
    QueryTimeout,
    RemoteEngine,
)

__all__ = [
    "Backend",
    "BackendError",
    "OxigraphBackend",
    "RemoteBackend",
    "RemoteEngine",
    "open_backend",
    "QueryEngine",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "LoadError",
    "LoadReport",
    "discover",
    "graph_iri_for",
    "load_paths",
]
