"""The one place queries run: safety rules, limits and errors for people.

Every SPARQL query of clusterkg (endpoint, named queries, analytics projections, exports) goes
through :meth:`QueryEngine.query`, so the rules live here once:

- ``SERVICE`` is refused unless its endpoint is on the configured allow-list;
- ``LOAD`` is always refused, and ``FROM``/``FROM NAMED`` only select graphs already in the
  store (Oxigraph never dereferences them);
- results stop at a row limit and at a byte limit, and the result says it was truncated;
- syntax errors carry line and column.

A query worker (:mod:`clusterkg.store.workers`) runs the same method, with its own result
converter; a remote store's engine (:class:`RemoteEngine`) hands the time limit to the HTTP
call that carries the query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, overload

from clusterkg.store.backends import Backend
from clusterkg.store.errors import BackendError, QueryError, QueryRefused, QueryTimeout
from clusterkg.store.native import SerializedResult
from clusterkg.store.oxigraph_backend import OxigraphBackend, R, ResultConverter, syntax_message
from clusterkg.store.results import EncodedResult, QueryResult, ResultKind, cap_bytes
from clusterkg.store.sparql_text import (
    SparqlTextError,
    bind_values,
    parse_position,
    service_endpoints,
    uses_load,
)
from clusterkg.store.terms import as_term

T = TypeVar("T")

__all__ = [
    "QueryEngine",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "RemoteEngine",
    "as_term",
    "bind_values",
    "parse_position",
    "store_errors",
]


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn what a store raises for a query or update into :class:`QueryError` for people.

    Syntax errors keep their line and column (parsed from Oxigraph's message).
    """
    try:
        yield
    except SyntaxError as exc:
        msg = syntax_message(exc)
        line, col = parse_position(msg)
        raise QueryError(f"syntax error: {msg}", line, col) from None
    except (BackendError, SparqlTextError) as exc:
        raise QueryError(str(exc)) from None
    except OSError as exc:
        raise QueryError(f"the store failed: {exc}") from None
    except RuntimeError as exc:  # pyoxigraph's evaluation errors (e.g. a graph that exists)
        raise QueryError(f"the store refused it: {exc}") from None


class QueryEngine:
    """Runs SPARQL against a backend under the server's rules and limits."""

    def __init__(
        self,
        backend: Backend,
        *,
        timeout: float = 10.0,
        row_limit: int = 10_000,
        service_allowlist: tuple[str, ...] = (),
        allow_updates: bool = False,
        result_max_bytes: int | None = None,
    ) -> None:
        self.backend = backend
        self.timeout = timeout
        self.row_limit = row_limit
        #: The byte ceiling of a result; it applies wherever the row limit does.
        self.result_max_bytes = result_max_bytes
        self.service_allowlist = tuple(service_allowlist)
        self.allow_updates = allow_updates

    def check_query(self, sparql: str) -> None:
        """Raise :class:`QueryRefused` for SERVICE calls off the allow-list."""
        for endpoint in service_endpoints(sparql):
            if endpoint not in self.service_allowlist:
                # "?": a SERVICE keyword whose endpoint could not be read (unclosed IRI...)
                named = "SERVICE" if endpoint == "?" else f"SERVICE {endpoint}"
                raise QueryRefused(
                    f"{named} is refused: federated queries are off on this server"
                    + (
                        " (allowed: " + ", ".join(self.service_allowlist) + ")"
                        if self.service_allowlist
                        else ""
                    )
                )

    def check_update(self, sparql: str) -> None:
        """Raise :class:`QueryRefused` for LOAD and for SERVICE inside updates."""
        if uses_load(sparql):
            raise QueryRefused("LOAD is refused: this server never fetches data from URLs or files")
        self.check_query(sparql)

    @overload
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = ...,
        default_graphs: list[str] | None = ...,
        named_graphs: list[str] | None = ...,
        timeout: float | None = ...,
        row_limit: int | None = ...,
        native: None = ...,
        base_iri: str | None = ...,
        convert: None = ...,
    ) -> QueryResult: ...
    @overload
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = ...,
        default_graphs: list[str] | None = ...,
        named_graphs: list[str] | None = ...,
        timeout: float | None = ...,
        row_limit: int | None = ...,
        native: Mapping[ResultKind, str],
        base_iri: str | None = ...,
        convert: None = ...,
    ) -> QueryResult | SerializedResult: ...
    @overload
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = ...,
        default_graphs: list[str] | None = ...,
        named_graphs: list[str] | None = ...,
        timeout: float | None = ...,
        row_limit: int | None = ...,
        native: Mapping[ResultKind, str] | None = ...,
        base_iri: str | None = ...,
        convert: ResultConverter[R],
    ) -> R | SerializedResult: ...
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        row_limit: int | None = -1,
        native: Mapping[ResultKind, str] | None = None,
        base_iri: str | None = None,
        convert: ResultConverter[Any] | None = None,
    ) -> Any:
        """Run one query; ``bindings`` substitute variables safely (no string splicing).

        ``row_limit=-1`` uses the engine's limit, ``None`` none at all (for trusted internal
        callers such as exporters); the engine's byte limit (``result_max_bytes``) applies
        whenever a row limit does. ``native`` maps result kinds (``select``, ``ask``,
        ``graph``) to a format of :mod:`clusterkg.store.native`: a result of such a kind comes
        back as a :class:`SerializedResult` written by the store (Oxigraph; other stores ignore
        it). ``base_iri`` resolves relative IRIs. ``convert`` builds the result from
        Oxigraph's answer (a query worker encodes terms for its pipe); it needs an Oxigraph
        store. Raises :class:`QueryError` and its subclasses.
        """
        return self.run_query(
            sparql,
            bindings=bindings,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
            row_limit=row_limit,
            native=native,
            base_iri=base_iri,
            convert=convert,
        )

    def run_query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        timeout: float | None,
        row_limit: int | None,
        native: Mapping[ResultKind, str] | None,
        base_iri: str | None,
        convert: ResultConverter[Any] | None,
    ) -> Any:
        """:meth:`query` with every argument given: what an engine of another kind (the worker
        pool) replaces, so that the typed signature of :meth:`query` exists once."""
        self.check_query(sparql)
        limit = self.row_limit if row_limit == -1 else row_limit
        budget = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + budget

        def deadline_check() -> None:
            if time.monotonic() > deadline:
                raise QueryTimeout(f"the query ran longer than the {budget:g} s limit")

        with store_errors():
            text = bind_values(sparql, {k: as_term(v) for k, v in (bindings or {}).items()})
            common: dict[str, Any] = {
                "default_graphs": default_graphs,
                "named_graphs": named_graphs,
                "row_limit": limit,
                "deadline_check": deadline_check,
                "native": native,
                "base_iri": base_iri,
                "timeout": budget,
                "max_bytes": None if limit is None else self.result_max_bytes,
            }
            if convert is None:
                result: Any = self.backend.query(text, **common)
            elif isinstance(self.backend, OxigraphBackend):
                result = self.backend.query(text, convert=convert, **common)
            else:
                raise QueryError(f"the store {self.backend.spec} has no Oxigraph results")
        if isinstance(result, (QueryResult, EncodedResult)):
            cap_bytes(result, common["max_bytes"])
        deadline_check()
        return result

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update (callers check the update token first).

        ``base_iri`` resolves relative IRIs (the SPARQL Protocol lets it be the endpoint).
        """
        if not self.allow_updates:
            raise QueryRefused("updates are disabled on this server")
        self.check_update(sparql)
        with store_errors():
            self.backend.update(sparql, base_iri=base_iri)

    def call(self, function: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """``function(*args)``: heavy work a request causes, here in this process (an engine
        with query workers runs it in one, under the query limits; ``timeout`` is its)."""
        return function(*args)

    def call_with_store(
        self, function: Callable[..., T], *args: Any, timeout: float | None = None
    ) -> T:
        """``function(backend, *args)`` with this engine's store backend, as :meth:`call`
        (a worker passes its own copy or view of the store, so reading the whole store, e.g.
        for a dump, costs the worker, not the server)."""
        return function(self.backend, *args)


class RemoteEngine(QueryEngine):
    """The engine of a remote ``sparql:`` store: no worker, the HTTP wait is the time limit.

    :meth:`QueryEngine.query` hands each call's ``timeout`` to that call's HTTP request, so
    concurrent queries with different limits (a 120 s projection, a 10 s query) each keep
    their own; past it the caller gets :class:`QueryTimeout` (the remote server enforces its
    own limits on its CPU).
    """
