"""The Oxigraph backend (pyoxigraph): in memory, or persistent in a folder (RocksDB)."""

from __future__ import annotations

import gc
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeAlias, TypeVar, overload

import pyoxigraph as ox

from clusterkg.store.errors import BackendError, LoadError
from clusterkg.store.native import SerializedResult, result_kind, serialize_result
from clusterkg.store.rdf_formats import OXIGRAPH
from clusterkg.store.results import EncodedResult, QueryResult, ResultKind
from clusterkg.store.terms import encode_term, ox_to_rdflib

R = TypeVar("R")
T = TypeVar("T")
Item = TypeVar("Item")
OxResult: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
DeadlineCheck: TypeAlias = Callable[[], None]
#: Builds the result object of one query from Oxigraph's answer, its row limit and deadline.
ResultConverter: TypeAlias = Callable[[OxResult, "int | None", "DeadlineCheck | None"], R]


def _take(
    items: Iterable[Item], row_limit: int | None, deadline_check: DeadlineCheck | None
) -> tuple[list[Item], bool]:
    """At most ``row_limit`` items, and whether there were more; the deadline is checked on
    the way (every 256 items)."""
    kept: list[Item] = []
    for i, item in enumerate(items):
        if row_limit is not None and i >= row_limit:
            return kept, True
        if deadline_check is not None and i % 256 == 0:
            deadline_check()
        kept.append(item)
    return kept, False


def _collect(
    raw: OxResult,
    row_limit: int | None,
    deadline_check: DeadlineCheck | None,
    term: Callable[[Any], T],
) -> tuple[list[str], list[dict[str, T]], list[tuple[T, T, T]], bool]:
    """Variables, rows, triples and truncation of a SELECT or graph answer, terms by ``term``."""
    if isinstance(raw, ox.QuerySolutions):
        names = [v.value for v in raw.variables]
        solutions, truncated = _take(raw, row_limit, deadline_check)
        rows = [{n: term(v) for n in names if (v := s[n]) is not None} for s in solutions]
        return names, rows, [], truncated
    if isinstance(raw, ox.QueryTriples):
        kept, truncated = _take(raw, row_limit, deadline_check)
        triples = [(term(t.subject), term(t.predicate), term(t.object)) for t in kept]
        return [], [], triples, truncated
    return [], [], [], False


def _convert(
    raw: OxResult,
    row_limit: int | None,
    deadline_check: DeadlineCheck | None,
    term: Callable[[Any], Any],
    result: type[QueryResult] | type[EncodedResult],
) -> Any:
    kind = result_kind(raw)
    if kind == "ask":
        return result("ask", boolean=bool(raw))
    names, rows, triples, truncated = _collect(raw, row_limit, deadline_check, term)
    return result(kind, names, rows, None, triples, truncated, row_limit)


def to_query_result(
    raw: OxResult, row_limit: int | None, deadline_check: DeadlineCheck | None = None
) -> QueryResult:
    """Oxigraph's answer as a :class:`QueryResult` of rdflib terms, cut at ``row_limit``."""
    made: QueryResult = _convert(raw, row_limit, deadline_check, ox_to_rdflib, QueryResult)
    return made


def to_encoded_result(
    raw: OxResult, row_limit: int | None, deadline_check: DeadlineCheck | None = None
) -> EncodedResult:
    """Oxigraph's answer as an :class:`EncodedResult` (to send through a worker's pipe)."""
    made: EncodedResult = _convert(raw, row_limit, deadline_check, encode_term, EncodedResult)
    return made


def graph_args(
    default_graphs: list[str] | None, named_graphs: list[str] | None
) -> dict[str, list[ox.NamedNode]]:
    """pyoxigraph's ``default_graph``/``named_graphs`` arguments for graph IRIs."""
    # Without default-graph-uri the store's own default graph is used: the loader merges every
    # file into it (see :meth:`OxigraphBackend.merge_into_default`). Oxigraph's
    # use_default_graph_as_union would be a bag, not an RDF merge: a triple stated in three files
    # would be counted three times by COUNT queries.
    kwargs: dict[str, list[ox.NamedNode]] = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


def _locked(exc: OSError) -> bool:
    """Whether RocksDB refused the folder because another process holds its lock file."""
    text = str(exc)
    return "lock file" in text or "/LOCK:" in text


class OxigraphBackend:
    """Oxigraph (pyoxigraph): in memory, or persistent in a folder (RocksDB)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path else None
        self.spec = f"oxigraph:{self.path}" if self.path else "memory"
        self.ox: Any
        #: In a server process forked from the one that opened the folder: the pipe to that
        #: process, which makes every write (:meth:`write_through`); this one reads a view.
        self.writer: Any = None
        self._writer_lock = threading.Lock()
        self._inherited: Any = None
        try:
            if self.path is None:
                self.ox = ox.Store()
            elif read_only:
                self.ox = ox.Store.read_only(str(self.path))
            else:
                self.ox = ox.Store(str(self.path))
        except OSError as exc:
            if not read_only and _locked(exc):
                raise BackendError(
                    f"the store {self.path} is in use by another process (a running "
                    "clusterkg serve?); stop that process, or query its endpoint with "
                    "--store sparql:http://HOST:PORT/sparql"
                ) from None
            raise BackendError(f"cannot open the Oxigraph store at {self.path}: {exc}") from None

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        """Triples in a named graph, or (``None``) in the default graph, the merged view."""
        if graph is None:
            res = self.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            return int(next(iter(res))["n"].value)
        node = ox.NamedNode(graph)  # validates the IRI, so it is safe to write into the query
        res = self.ox.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(res))["n"].value)

    def load_file(self, path: Path, fmt: str, graph: str | None) -> None:
        if self.writer is not None:
            return self._forward("load_file", path, fmt, graph)
        to_graph = ox.NamedNode(graph) if graph else None
        try:
            self.ox.load(
                path=str(path),
                format=OXIGRAPH[fmt],
                to_graph=to_graph,
                base_iri=Path(path).absolute().as_uri(),
            )
        except SyntaxError as exc:
            raise LoadError(path, syntax_message(exc), exc.lineno, exc.offset) from None
        except (OSError, ValueError) as exc:
            raise LoadError(path, str(exc)) from None

    def load_data(self, data: bytes | str, fmt: str, graph: str | None) -> None:
        if self.writer is not None:
            return self._forward("load_data", data, fmt, graph)
        to_graph = ox.NamedNode(graph) if graph else None
        self.ox.load(data, format=OXIGRAPH[fmt], to_graph=to_graph)

    @overload
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = ...,
        named_graphs: list[str] | None = ...,
        row_limit: int | None = ...,
        deadline_check: DeadlineCheck | None = ...,
        native: Mapping[ResultKind, str] | None = ...,
        base_iri: str | None = ...,
        timeout: float | None = ...,
        max_bytes: int | None = ...,
        convert: None = ...,
    ) -> QueryResult | SerializedResult: ...
    @overload
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = ...,
        named_graphs: list[str] | None = ...,
        row_limit: int | None = ...,
        deadline_check: DeadlineCheck | None = ...,
        native: Mapping[ResultKind, str] | None = ...,
        base_iri: str | None = ...,
        timeout: float | None = ...,
        max_bytes: int | None = ...,
        convert: ResultConverter[R],
    ) -> R | SerializedResult: ...
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_limit: int | None = None,
        deadline_check: DeadlineCheck | None = None,
        native: Mapping[ResultKind, str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        convert: ResultConverter[Any] | None = None,
    ) -> Any:
        """Run one query; its result is built by ``convert`` (default :func:`to_query_result`),
        or written by Oxigraph in ``native[kind]`` when its kind is there, then at most
        ``max_bytes`` bytes of body (:func:`~clusterkg.store.native.serialize_result`).

        ``timeout`` is not enforced here: Oxigraph cannot be interrupted from Python, so the
        limit is the worker pool's (:mod:`clusterkg.store.workers`).
        """
        raw = self.ox.query(sparql, base_iri=base_iri, **graph_args(default_graphs, named_graphs))
        fmt = native.get(result_kind(raw)) if native else None
        if fmt is not None:
            return serialize_result(raw, fmt, row_limit, max_bytes)
        return (convert or to_query_result)(raw, row_limit, deadline_check)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        if self.writer is not None:
            return self._forward("update", sparql, base_iri)
        self.ox.update(sparql, base_iri=base_iri)

    def merge_into_default(self, graph: str | None = None) -> None:
        """Add the triples of a named graph (all named graphs if ``None``) to the default graph.

        The default graph is thereby the RDF merge (a set) of the loaded files, which is what
        queries without ``default-graph-uri`` see.
        """
        if self.writer is not None:
            return self._forward("merge_into_default", graph)
        if graph is None:
            self.ox.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        else:
            node = ox.NamedNode(graph)
            self.ox.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} }}")

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph, and from the default graph its triples no other graph states."""
        if self.writer is not None:
            return self._forward("drop_graph", graph)
        node = ox.NamedNode(graph)
        if node in set(self.ox.named_graphs()):
            self.ox.update(
                f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != <{node.value}>) }} }}"
            )
            self.ox.remove_graph(node)

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        if graph is None:
            return bytes(self.ox.dump(format=OXIGRAPH[fmt]))
        return bytes(self.ox.dump(format=OXIGRAPH[fmt], from_graph=ox.NamedNode(graph)))

    # -- several server processes on one folder (clusterkg.web.prefork) ---------------------
    def write_through(self, conn: Any) -> None:
        """In a process forked from the one that opened the folder: read through a view of
        our own, and send every write over ``conn`` to that process (:meth:`apply_write`).

        RocksDB lets one process write a folder, and its background threads do not survive a
        fork, so the forked process must neither write nor close the store it inherited (it
        is kept, unused, until the process exits).
        """
        self._inherited = self.ox
        self.writer = conn
        self.refresh_view()

    def refresh_view(self) -> None:
        """A fresh read-only view of the folder, which sees every write made so far (in a
        process that reads through a view; a no-op elsewhere)."""
        if self.writer is not None:
            assert self.path is not None
            self.ox = ox.Store.read_only(str(self.path))

    def _forward(self, name: str, *args: Any) -> None:
        with self._writer_lock:
            self.writer.send((name, args))
            reply = self.writer.recv()
        if reply[0] == "raise":
            raise reply[1]

    def apply_write(self, message: tuple[str, tuple[Any, ...]]) -> tuple[Any, ...]:
        """Run one write another process sent (:meth:`write_through`), flushed to disk: its
        reply, ``("ok",)`` or ``("raise", exception)``."""
        name, args = message
        if name not in ("load_file", "load_data", "update", "merge_into_default", "drop_graph"):
            return ("raise", BackendError(f"not a write: {name}"))
        try:
            if name == "update":
                self.update(args[0], base_iri=args[1])
            else:
                getattr(self, name)(*args)
            if self.path is not None:
                self.ox.flush()
        except Exception as exc:  # noqa: BLE001 - sent back to be raised where it was asked
            return ("raise", portable_error(exc))
        return ("ok",)

    def close(self) -> None:
        """Flush a persistent store and release its folder.

        pyoxigraph has no ``close()``: RocksDB's lock on the folder goes when the Rust store is
        dropped, i.e. when the last Python reference to it goes. So the reference is replaced
        by one that refuses further use, and a collection frees any copy held in a reference
        cycle (e.g. a result iterator in a traceback); the folder can then be opened again in
        this process. Closing twice is harmless.
        """
        if self.writer is not None:  # a view: nothing to flush, and no collection (see
            self.ox = _ClosedStore(self.spec)  # write_through)
            return
        if self.path and not isinstance(self.ox, _ClosedStore):
            try:
                self.ox.flush()
            finally:
                self.ox = _ClosedStore(self.spec)
                gc.collect()

    def reopen(self, attempts: int = 20) -> None:
        """Open a persistent store again after :meth:`close` (read-write), retried briefly
        while another process releases the folder; a no-op on an open or in-memory store."""
        if self.path is None or not isinstance(self.ox, _ClosedStore):
            return
        for attempt in range(attempts):
            try:
                self.ox = ox.Store(str(self.path))
                return
            except OSError as exc:
                if attempt == attempts - 1:
                    raise BackendError(
                        f"cannot open the Oxigraph store at {self.path}: {exc}"
                    ) from None
                time.sleep(0.05 * (attempt + 1))


def portable_error(exc: Exception) -> Exception:
    """``exc`` if it survives a round trip through pickle (to be raised in the process that
    asked), else its text as a RuntimeError."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, this process
    except Exception:  # noqa: BLE001 - an error that cannot travel: its text does
        return RuntimeError(str(exc))
    return exc


class _ClosedStore:
    """Stands in for the pyoxigraph Store of a closed backend: any use is a clear error."""

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def __getattr__(self, name: str) -> NoReturn:
        raise BackendError(f"the store {self.spec} is closed")


def syntax_message(exc: SyntaxError) -> str:
    """The message of a pyoxigraph syntax error, without Python's decoration."""
    return str(exc.msg if hasattr(exc, "msg") else exc)
