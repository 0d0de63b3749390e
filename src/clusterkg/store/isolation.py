"""Queries in killable worker processes, so that a runaway query stops using CPU at its limit.

pyoxigraph evaluates a query in Rust without returning to Python, so a thread cannot stop it.
:class:`IsolatedEngine` therefore runs each query in a worker process forked from the server
after the store is loaded (the in-memory store is shared copy-on-write; an ``oxigraph:DIR``
worker opens the folder read-only). When a query passes its time limit the worker is killed
(``SIGKILL``) and replaced, and the caller gets :class:`QueryTimeout`.

Every change to the store (loads, updates, drops) goes through :class:`GuardedBackend`, which
counts it as a new generation; a worker forked from an older generation is replaced before its
next query, so workers never answer from stale data. Forks happen while no thread of the server
touches the store (a readers-writer lock), so a child never inherits a store caught mid-write.

A remote ``sparql:`` store needs no worker: :class:`RemoteEngine` bounds the HTTP wait and
reports it as a timeout (the remote server enforces its own limits on its CPU).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from clusterkg.store import backends as backends_module
from clusterkg.store.backends import Backend, OxigraphBackend, _from_ox, _graph_args
from clusterkg.store.engine import (
    QueryEngine,
    QueryError,
    QueryRefused,
    QueryTimeout,
    as_term,
    bind_values,
    store_errors,
)
from clusterkg.store.native import SerializedResult, result_kind, serialize_result
from clusterkg.store.results import QueryResult
from clusterkg.store.terms import XSD_STRING

_ERRORS: dict[str, type[QueryError]] = {
    "QueryError": QueryError,
    "QueryRefused": QueryRefused,
    "QueryTimeout": QueryTimeout,
}
_MUTATORS = ("load_file", "load_data", "merge_into_default", "update", "drop_graph")


class RWLock:
    """Many readers or one writer; a waiting writer blocks new readers (no writer starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    def acquire_read(self) -> None:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self) -> None:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True

    def release_write(self) -> None:
        with self._cond:
            self._writer = False
            self._cond.notify_all()


class GuardedBackend:
    """A backend whose writes bump a generation and whose calls respect the fork lock.

    Attribute access falls through to the wrapped backend (``.ox``, ``.path``, ``.spec``), so
    callers use it like the backend itself.
    """

    def __init__(self, raw: Backend, on_close: Callable[[], None] | None = None) -> None:
        self.raw = raw
        self.lock = RWLock()
        self.generation = 0
        self._on_close = on_close

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.raw, name)
        if not callable(attr) or name.startswith("_"):
            return attr
        write = name in _MUTATORS

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if write:
                self.lock.acquire_write()
                try:
                    return attr(*args, **kwargs)
                finally:
                    self.generation += 1
                    self.lock.release_write()
            self.lock.acquire_read()
            try:
                return attr(*args, **kwargs)
            finally:
                self.lock.release_read()

        return guarded

    def changed(self) -> None:
        """Declare that the store changed behind this wrapper (e.g. through ``.ox``)."""
        self.lock.acquire_write()
        self.generation += 1
        self.lock.release_write()

    def close(self) -> None:
        if self._on_close:
            self._on_close()
        self.raw.close()


class _ReadOnlyOxigraph(OxigraphBackend):
    """A worker's view of an ``oxigraph:DIR`` store, opened read-only at fork time."""

    def __init__(self, path: Path) -> None:  # noqa: D107 - no parent init: it opens read-write
        self.path = Path(path)
        self.spec = f"oxigraph:{self.path}"
        self.ox = ox.Store.read_only(str(self.path))


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):
        return 4096


class _Worker:
    def __init__(self, pid: int, conn: Connection, generation: int) -> None:
        self.pid = pid
        self.conn = conn
        self.generation = generation


def _encode_term(term: Any) -> tuple | None:
    """A pyoxigraph term as a tuple of strings: far cheaper to pickle than rdflib terms."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return ("u", term.value)
    if isinstance(term, ox.BlankNode):
        return ("b", term.value)
    if isinstance(term, ox.Literal):
        return ("l", term.value, term.language, term.datatype.value)
    raise TypeError(f"unsupported RDF term {term!r}")


def _decoder() -> Callable[[tuple | None], Any]:
    cache: dict[tuple, Any] = {}

    def decode(code: tuple | None) -> Any:
        if code is None:
            return None
        term = cache.get(code)
        if term is None:
            if code[0] == "u":
                term = URIRef(code[1])
            elif code[0] == "b":
                term = BNode(code[1])
            elif code[2]:
                term = Literal(code[1], lang=code[2])
            elif code[3] == XSD_STRING:
                term = Literal(code[1])
            else:
                # normalize=False keeps the lexical form the store holds ("1.0E6", "01").
                term = Literal(code[1], datatype=URIRef(code[3]), normalize=False)
            cache[code] = term
        return term

    return decode


def _decode_result(result: QueryResult) -> QueryResult:
    decode = _decoder()
    if result.kind == "select":
        result.rows = [{k: decode(v) for k, v in row.items()} for row in result.rows]
    elif result.kind == "graph":
        result.triples = [(decode(s), decode(p), decode(o)) for s, p, o in result.triples]
    return result


def _open_read_only(path: Path, attempts: int = 5) -> _ReadOnlyOxigraph:
    """A read-only view of an on-disk store, retried while the server compacts its files."""
    for attempt in range(attempts):
        try:
            return _ReadOnlyOxigraph(path)
        except (OSError, RuntimeError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _stale_files(exc: QueryError) -> bool:
    # RocksDB compaction in the server may delete files a read-only view still lists.
    return "No such file" in exc.message or "Corruption" in exc.message


def _query_native(
    engine: QueryEngine,
    sparql: str,
    native: Mapping[str, str],
    *,
    bindings: Mapping[str, object],
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    row_limit: int | None,
    **_: Any,
) -> QueryResult | SerializedResult:
    """One query, its result written by Oxigraph in ``native[kind]`` when the kind is there.

    The same rules as :meth:`QueryEngine.query` (SERVICE check, safe bindings, row limit);
    a kind missing from ``native`` gives the usual :class:`QueryResult` (terms encoded).
    """
    engine.check_query(sparql)
    limit = engine.row_limit if row_limit == -1 else row_limit
    text = bind_values(sparql, {k: as_term(v) for k, v in bindings.items()})
    with store_errors():
        raw = engine.backend.ox.query(text, **_graph_args(default_graphs, named_graphs))
        fmt = native.get(result_kind(raw))
        if fmt is None:
            return _from_ox(raw, limit, None)
        return serialize_result(raw, fmt, limit)


def _answer(engine: QueryEngine, sparql: str, kwargs: dict) -> tuple:
    native = kwargs.pop("native", None)
    if native:
        result = _query_native(engine, sparql, native, **kwargs)
        return ("native" if isinstance(result, SerializedResult) else "ok", result)
    return ("ok", engine.query(sparql, **kwargs))


def _serve_queries(
    conn: Connection, engine: QueryEngine, reopen: Callable[[], Backend] | None = None
) -> None:
    """The worker's loop: one query in, one result (or error tuple) out, until EOF."""
    # Results cross the pipe as tuples of strings; the server builds the rdflib terms once.
    backends_module.ox_to_rdflib = _encode_term
    while True:
        try:
            sparql, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            try:
                reply: tuple = _answer(engine, sparql, dict(kwargs))
            except QueryError as exc:
                if reopen is None or not _stale_files(exc):
                    raise
                engine.backend = reopen()
                reply = _answer(engine, sparql, dict(kwargs))
        except QueryError as exc:
            reply = ("error", type(exc).__name__, exc.message, exc.line, exc.column)
        except Exception as exc:  # noqa: BLE001 - a worker must answer, never die silently
            reply = ("error", "QueryError", f"the store failed: {exc}", None, None)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class IsolatedEngine(QueryEngine):
    """A :class:`QueryEngine` that runs each query in a pool of killable worker processes."""

    def __init__(self, backend: OxigraphBackend, *, workers: int = 4, **kwargs: Any) -> None:
        self.guarded = GuardedBackend(backend, on_close=self.shutdown)
        super().__init__(self.guarded, **kwargs)  # type: ignore[arg-type]
        self.raw = backend
        self.size = max(1, workers)
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: dict[int, _Worker] = {}
        self._forking = 0
        self._closed = False
        self.timeouts = 0

    # -- workers ---------------------------------------------------------------------------
    def _fork(self) -> _Worker:
        parent_end, child_end = Pipe(duplex=True)
        self.guarded.lock.acquire_write()
        try:
            generation = self.guarded.generation
            pid = os.fork()
            if pid == 0:  # child: never returns
                code = 0
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    # Inherited client sockets would stay open while the worker lives and
                    # hold back the end of other responses: keep only stdio and our pipe.
                    keep = child_end.fileno()
                    os.closerange(3, keep)
                    os.closerange(keep + 1, _max_fd())
                    backend: Backend = self.raw
                    reopen = None
                    if self.raw.path is not None:
                        path = self.raw.path

                        def reopen() -> Backend:
                            return _open_read_only(path)

                        backend = reopen()
                    engine = QueryEngine(
                        backend,
                        timeout=self.timeout,
                        row_limit=self.row_limit,
                        service_allowlist=self.service_allowlist,
                    )
                    _serve_queries(child_end, engine, reopen)
                except BaseException as exc:  # noqa: BLE001
                    # stderr is kept open: the operator sees why a worker could not start.
                    os.write(2, f"clusterkg query worker {os.getpid()} failed: {exc!r}\n".encode())
                    code = 1
                finally:
                    os._exit(code)
        finally:
            self.guarded.lock.release_write()
        child_end.close()
        worker = _Worker(pid, parent_end, generation)
        with self._cond:
            self._all[pid] = worker
        return worker

    def _kill(self, worker: _Worker) -> None:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass
        worker.conn.close()
        with self._cond:
            self._all.pop(worker.pid, None)
            self._cond.notify()

    def _checkout(self, deadline: float) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise QueryError("the server is shutting down")
                if self._idle:
                    worker = self._idle.pop()
                    if worker.generation == self.guarded.generation:
                        return worker
                    self._forking += 1  # keep the slot while the stale worker is replaced
                    break
                if len(self._all) + self._forking < self.size:
                    self._forking += 1
                    worker = None
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout(
                        "the server is busy: no query worker became free "
                        "within the time limit; try again later"
                    )
                self._cond.wait(remaining)
        try:
            if worker is not None:
                self._kill(worker)
            return self._fork()
        finally:
            with self._cond:
                self._forking -= 1

    def _checkin(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                pass
            else:
                self._idle.append(worker)
                self._cond.notify()
                return
        self._kill(worker)

    def shutdown(self) -> None:
        """Stop every worker (called when the knowledge graph is closed)."""
        with self._cond:
            self._closed = True
            workers = list(self._all.values())
            self._idle.clear()
        for worker in workers:
            self._kill(worker)

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for monitoring and tests)."""
        with self._cond:
            return list(self._all)

    # -- queries ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        row_limit: int | None = -1,
        native: Mapping[str, str] | None = None,
    ) -> QueryResult | SerializedResult:
        """Run one query in a worker; past ``timeout`` the worker is killed (see module doc).

        ``native`` maps result kinds (``select``, ``ask``, ``graph``) to a format name of
        :mod:`clusterkg.store.native`: a result of such a kind comes back as a
        :class:`SerializedResult` written by Oxigraph in the worker, any other kind as a
        :class:`QueryResult`.
        """
        self.check_query(sparql)
        budget = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + budget
        worker = self._checkout(deadline)
        kwargs = {
            "bindings": dict(bindings or {}),
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "timeout": budget,
            "row_limit": row_limit,
        }
        if native:
            kwargs["native"] = dict(native)
        try:
            worker.conn.send((sparql, kwargs))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._kill(worker)
                worker = None
                self.timeouts += 1
                raise QueryTimeout(
                    f"the query ran longer than the {budget:g} s limit and was "
                    "stopped; narrow it down (LIMIT, more specific patterns)"
                )
            reply = worker.conn.recv()
        except (EOFError, OSError) as exc:
            if worker is not None:
                self._kill(worker)
                worker = None
            raise QueryError(
                f"the query worker failed ({exc.__class__.__name__}); try again"
            ) from None
        finally:
            if worker is not None:
                self._checkin(worker)
        if reply[0] == "ok":
            return _decode_result(reply[1])
        if reply[0] == "native":
            return reply[1]
        _, name, message, line, column = reply
        raise _ERRORS.get(name, QueryError)(message, line, column)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update in the server process (trusted: it needs the update token).

        ``base_iri`` resolves relative IRIs (the SPARQL Protocol lets it be the endpoint).
        """
        if not self.allow_updates:
            raise QueryRefused("updates are disabled on this server")
        self.check_update(sparql)
        self.guarded.lock.acquire_write()
        try:
            self.raw.ox.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            from clusterkg.store.engine import parse_position

            msg = str(exc.msg if hasattr(exc, "msg") else exc)
            line, col = parse_position(msg)
            raise QueryError(f"syntax error: {msg}", line, col) from None
        except OSError as exc:
            raise QueryError(f"the update failed: {exc}") from None
        finally:
            self.guarded.generation += 1
            self.guarded.lock.release_write()


class RemoteEngine(QueryEngine):
    """A :class:`QueryEngine` for a remote store whose HTTP wait is the query time limit."""

    def query(self, sparql: str, **kwargs: Any) -> QueryResult:
        budget = kwargs.get("timeout") or self.timeout
        if hasattr(self.backend, "timeout"):
            self.backend.timeout = budget  # type: ignore[attr-defined]
        try:
            return super().query(sparql, **kwargs)
        except QueryError as exc:
            if "timed out" in exc.message or isinstance(exc.__cause__, socket.timeout):
                raise QueryTimeout(
                    f"the remote store did not answer within the {budget:g} s limit"
                ) from None
            raise


def isolate(kg: Any, *, workers: int = 4) -> Any:
    """Give ``kg`` an engine that enforces the time limit by killing or abandoning the query.

    Oxigraph stores get an :class:`IsolatedEngine` (``kg.backend`` becomes its
    :class:`GuardedBackend`); remote stores a :class:`RemoteEngine`. Returns ``kg``.
    """
    old = kg.engine
    common = {
        "timeout": old.timeout,
        "row_limit": old.row_limit,
        "service_allowlist": old.service_allowlist,
        "allow_updates": old.allow_updates,
    }
    if isinstance(kg.backend, OxigraphBackend):
        engine = IsolatedEngine(kg.backend, workers=workers, **common)
        kg.engine = engine
        kg.backend = engine.guarded
    else:
        kg.engine = RemoteEngine(kg.backend, **common)
    return kg
