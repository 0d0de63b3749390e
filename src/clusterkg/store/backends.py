"""What a store is to clusterkg (:class:`Backend`) and how a ``--store`` spec opens one.

The spec strings are those of ``--store``: ``memory``, ``oxigraph:DIR`` and
``sparql:QUERY_URL[,UPDATE_URL]``. Each backend lives in its own module
(:mod:`~clusterkg.store.oxigraph_backend`, :mod:`~clusterkg.store.remote_backend`); every one
answers queries with a :class:`QueryResult` (or, asked for ``native`` formats, a
:class:`SerializedResult` written by the store itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from clusterkg.store.errors import BackendError
from clusterkg.store.native import SerializedResult
from clusterkg.store.oxigraph_backend import OxigraphBackend
from clusterkg.store.remote_backend import RemoteBackend
from clusterkg.store.results import QueryResult, ResultKind

__all__ = [
    "Backend",
    "BackendError",
    "OxigraphBackend",
    "RemoteBackend",
    "open_backend",
    "require_store",
]


class Backend(Protocol):
    """What the engine, loader and exporters need of a store."""

    spec: str

    def graph_names(self) -> list[str]: ...
    def count(self, graph: str | None = None) -> int: ...
    def load_file(self, path: Path, fmt: str, graph: str | None) -> None: ...
    def load_data(self, data: bytes | str, fmt: str, graph: str | None) -> None: ...
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_limit: int | None = None,
        deadline_check: Callable[[], None] | None = None,
        native: Mapping[ResultKind, str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> QueryResult | SerializedResult: ...
    def update(self, sparql: str, *, base_iri: str | None = None) -> None: ...
    def merge_into_default(self, graph: str | None = None) -> None: ...
    def drop_graph(self, graph: str) -> None: ...
    def dump(self, fmt: str, graph: str | None = None) -> bytes: ...
    def close(self) -> None: ...


def require_store(spec: str) -> None:
    """Refuse an ``oxigraph:DIR`` spec whose folder does not exist (:class:`BackendError`,
    unusable input): commands that only read a store must not make one where a path was
    mistyped. Only ``clusterkg load`` and ``clusterkg import --store`` create a store."""
    spec = (spec or "memory").strip()
    if not spec.startswith("oxigraph:"):
        return
    path = spec.split(":", 1)[1]
    if path and not Path(path).is_dir():
        what = "is not a folder" if Path(path).exists() else "does not exist"
        raise BackendError(
            f"no store at {path} (the folder {what}); create one with `clusterkg load {path}` "
            f"(the bundled graphs and your files) or `clusterkg import FILE --kind KIND "
            f"--store oxigraph:{path}`, or check the path"
        )


def open_backend(spec: str, *, token: str | None = None, create: bool = True) -> Backend:
    """A backend for a ``--store`` spec: ``memory``, ``oxigraph:DIR``, ``sparql:Q[,U]``.

    ``token`` (default: ``$CLUSTERKG_REMOTE_TOKEN``) is the bearer token for a remote store.
    A spec that names no known store is :class:`BackendError` (unusable input, exit 2), and
    so is, unless ``create``, an ``oxigraph:DIR`` whose folder does not exist
    (:func:`require_store`); with ``create`` the folder is made.
    """
    spec = (spec or "memory").strip()
    if spec == "memory":
        return OxigraphBackend()
    if spec.startswith("oxigraph:"):
        path = spec.split(":", 1)[1]
        if not path:
            raise BackendError("oxigraph: needs a folder, e.g. --store oxigraph:./data/store")
        if not create:
            require_store(spec)
        try:
            Path(path).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendError(f"cannot create the store folder {path}: {exc}") from None
        return OxigraphBackend(path)
    if spec.startswith("sparql:"):
        urls = spec.split(":", 1)[1].split(",")
        if not urls[0].startswith(("http://", "https://")):
            raise BackendError(f"sparql: needs an http(s) URL, got {urls[0]!r}")
        if token is None:
            # Settings is the one place the environment is read (CLUSTERKG_REMOTE_TOKEN).
            from clusterkg.config import Settings

            token = Settings.from_env().remote_token
        return RemoteBackend(urls[0], urls[1] if len(urls) > 1 and urls[1] else None, token=token)
    raise BackendError(
        f"unknown store {spec!r}: use memory, oxigraph:DIR or sparql:QUERY_URL[,UPDATE_URL]"
    )
