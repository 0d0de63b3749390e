"""Loading RDF into named graphs, the store backends and the one query path (layer 2)."""

from clusterkg.store.backends import Backend, OxigraphBackend, RemoteBackend, open_backend
from clusterkg.store.engine import (
    QueryEngine,
    QueryError,
    QueryRefused,
    QueryResult,
    QueryTimeout,
)
from clusterkg.store.loader import LoadError, LoadReport, discover, graph_iri_for, load_paths

__all__ = [
    "Backend",
    "OxigraphBackend",
    "RemoteBackend",
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
