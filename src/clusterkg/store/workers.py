"""Queries in killable worker processes, so that a runaway query stops using CPU at its limit.

pyoxigraph evaluates a query in Rust without returning to Python, so a thread cannot stop it.
:class:`IsolatedEngine` therefore runs each query in a worker process forked after the store
is loaded (the in-memory store is shared copy-on-write; an ``oxigraph:DIR`` worker opens the
folder read-only). When a query passes its time limit the worker is killed (``SIGKILL``) and
replaced, and the caller gets :class:`QueryTimeout`. Each worker also has a memory ceiling
(``RLIMIT_AS``, set in the child: the address space it inherited plus ``memory_mb``); a query
that crosses it makes the allocation fail, the worker dies or answers ``MemoryError``, is
replaced, and the caller gets :class:`QueryTooLarge` (507). The worker runs the one query path,
:meth:`QueryEngine.query`, with a converter that encodes terms for the pipe.

Every change to a store (loads, updates, drops) goes through :class:`GuardedBackend`, which
counts it as a new generation (the key of the knowledge graph's one cache); a worker forked
from an older generation is replaced before its next query, so workers never answer from stale
data. Forks happen while no thread touches the store (a readers-writer lock, :class:`RWLock`),
so a child never inherits a store caught mid-write.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from clusterkg.errors import ClusterkgError
from clusterkg.store import abandon
from clusterkg.store.backends import Backend
from clusterkg.store.errors import (
    BackendError,
    QueryError,
    QueryRefused,
    QueryTimeout,
    QueryTooLarge,
)
from clusterkg.store.native import SerializedResult
from clusterkg.store.oxigraph_backend import (
    OxigraphBackend,
    R,
    ResultConverter,
    to_encoded_result,
)
from clusterkg.store.query_engine import QueryEngine, store_errors
from clusterkg.store.results import EncodedResult, QueryResult, ResultKind

T = TypeVar("T")

_ERRORS: dict[str, type[QueryError]] = {
    "QueryError": QueryError,
    "QueryRefused": QueryRefused,
    "QueryTimeout": QueryTimeout,
    "QueryTooLarge": QueryTooLarge,
}

#: The largest default memory ceiling of one worker, in MB.
MAX_DEFAULT_MEMORY_MB = 2048


def default_memory_mb(workers: int) -> int:
    """The default memory ceiling of one query worker: min(2048 MB, RAM / (workers + 1)).

    One share more than there are workers leaves the server process and the system room when
    every worker is at its ceiling at once.
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return MAX_DEFAULT_MEMORY_MB
    return max(16, min(MAX_DEFAULT_MEMORY_MB, (total >> 20) // (max(1, workers) + 1)))


def _statm(field: int) -> int:
    """Field ``field`` of /proc/self/statm (0: address space, 1: resident set) in bytes."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[field])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(memory_mb: int) -> None:
    """Let this process map at most ``memory_mb`` MB more than it has mapped now.

    The address space (``RLIMIT_AS``) is what the kernel can refuse at allocation time, so a
    runaway query fails in its own worker before the machine runs short; a fork inherits the
    server's mappings, hence the ceiling counts from here.
    """
    mapped = _statm(0)
    if not mapped:  # no /proc (not Linux): no ceiling rather than a wrong one
        return
    limit = mapped + (memory_mb << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def too_large(memory_mb: int, what: str = "query") -> QueryTooLarge:
    """The error for a query or update that crossed the worker's memory ceiling."""
    return QueryTooLarge(
        f"the {what} needed more than {memory_mb} MB of memory (the ceiling of a query "
        "worker) and was stopped; it would need as much again, so narrow it down "
        "(fewer or shorter values, LIMIT, more specific patterns)"
    )


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
    """A backend whose writes count a generation and whose calls respect the fork lock.

    Every :class:`~clusterkg.store.kg.KnowledgeGraph` holds its backend wrapped in one, isolated
    or not, so ``generation`` counts every load, update and drop made through it.
    """

    def __init__(self, raw: Backend) -> None:
        self.raw = raw
        self.spec = raw.spec
        self.lock = RWLock()
        self._generation = 0
        #: The generation counter shared by several server processes (:meth:`share`).
        self._shared: Any = None
        #: The generation this process's own view of the store was opened at (shared only).
        self._seen = 0
        self._on_close: list[Callable[[], None]] = []

    @property
    def generation(self) -> int:
        """The change counter: it grows with every write, in any process sharing it."""
        shared = self._shared
        return self._generation if shared is None else int(shared.value)

    def share(self, counter: Any) -> None:
        """Count generations in ``counter`` (a ``multiprocessing.Value('q')`` made before the
        server processes fork), so a write through one process retires every process's
        workers and cached views; an on-disk store's own view is reopened at the next read."""
        counter.value = self._generation
        self._shared = counter
        self._seen = self._generation

    def _read(self, call: Callable[[], R]) -> R:
        self.lock.acquire_read()
        try:
            if self._shared is not None and self._seen != self.generation:
                self._seen = self.generation
                refresh = getattr(self.raw, "refresh_view", None)
                if refresh is not None:
                    refresh()  # a view opened before another process wrote
            return call()
        finally:
            self.lock.release_read()

    def _write(self, call: Callable[[], None]) -> None:
        self.lock.acquire_write()
        try:
            call()
        finally:
            # Counted even when the write failed: part of it may have landed on a remote store.
            shared = self._shared
            if shared is None:
                self._generation += 1
            else:
                with shared.get_lock():  # this process's view is reopened at its next read
                    shared.value += 1
            self.lock.release_write()

    def graph_names(self) -> list[str]:
        return self._read(self.raw.graph_names)

    def count(self, graph: str | None = None) -> int:
        return self._read(lambda: self.raw.count(graph))

    def query(self, sparql: str, **kwargs: Any) -> QueryResult | SerializedResult:
        return self._read(lambda: self.raw.query(sparql, **kwargs))

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        return self._read(lambda: self.raw.dump(fmt, graph))

    def load_file(self, path: Path, fmt: str, graph: str | None) -> None:
        self._write(lambda: self.raw.load_file(path, fmt, graph))

    def load_data(self, data: bytes | str, fmt: str, graph: str | None) -> None:
        self._write(lambda: self.raw.load_data(data, fmt, graph))

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._write(lambda: self.raw.update(sparql, base_iri=base_iri))

    def merge_into_default(self, graph: str | None = None) -> None:
        self._write(lambda: self.raw.merge_into_default(graph))

    def drop_graph(self, graph: str) -> None:
        self._write(lambda: self.raw.drop_graph(graph))

    def changed(self) -> None:
        """Declare that the store changed behind this wrapper (a write through ``raw``)."""
        self._write(lambda: None)

    def on_close(self, stop: Callable[[], None]) -> None:
        """Call ``stop`` (e.g. a worker pool's shutdown) before the store closes."""
        self._on_close.append(stop)

    def close(self) -> None:
        for stop in self._on_close:
            stop()
        self.raw.close()


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):
        return 4096


class _Worker:
    def __init__(self, pid: int, conn: Connection, generation: int, inherited: int) -> None:
        self.pid = pid
        self.conn = conn
        self.generation = generation
        #: The resident memory (bytes) of the server when it forked this worker.
        self.inherited = inherited
        # One poll object for the worker's life: ``Connection.poll`` builds a selector,
        # registers the pipe and closes it again on every call.
        self._poller = select.poll()
        self._poller.register(conn.fileno(), select.POLLIN)

    def readable(self, timeout: float) -> bool:
        """Whether the worker's answer (or its end: EOF) can be read within ``timeout`` s."""
        return bool(self._poller.poll(max(0, math.ceil(timeout * 1000))))


def _open_read_only(path: Path, attempts: int = 5) -> OxigraphBackend:
    """A read-only view of an on-disk store, retried while the server compacts its files."""
    for attempt in range(attempts):
        try:
            return OxigraphBackend(path, read_only=True)
        except Exception:  # noqa: BLE001 - BackendError or OSError, retried alike
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _stale_files(exc: QueryError) -> bool:
    # RocksDB compaction in the server may delete files a read-only view still lists.
    return "No such file" in exc.message or "Corruption" in exc.message


def _answer(engine: QueryEngine, sparql: str, kwargs: dict[str, Any]) -> Any:
    kwargs = dict(kwargs)
    kwargs["convert"] = kwargs.get("convert") or to_encoded_result
    return engine.query(sparql, **kwargs)


def _try_update(engine: QueryEngine, sparql: str, base_iri: str | None) -> None:
    """Run an update on this worker's own copy of the data, so that it cannot hurt the server.

    A worker of the in-memory store holds a copy-on-write image of the server's store, so the
    update meets the same data as it will in the server; the worker is discarded afterwards.
    (An ``oxigraph:DIR`` update is not tried here but run in a process of its own,
    :meth:`IsolatedEngine.update`; were one sent, its read-only view would refuse it, so it
    runs on an empty store, which still parses it and plans every operation.)
    """
    backend = engine.backend
    with store_errors():
        if isinstance(backend, OxigraphBackend) and backend.path is None:
            backend.update(sparql, base_iri=base_iri)
        else:
            ox.Store().update(sparql, base_iri=base_iri)


def _handle(
    engine: QueryEngine, message: tuple[Any, ...], reopen: Callable[[], OxigraphBackend] | None
) -> Any:
    """What the worker answers to one message: ``("query", sparql, kwargs)``,
    ``("update", sparql, base_iri)``, ``("call", function, args)`` or
    ``("call_with_store", function, args)``."""
    op, first, second = message
    if op == "update":
        return _try_update(engine, first, second)
    if op == "call":
        return first(*second)
    if op == "call_with_store":
        return first(engine.backend, *second)
    try:
        return _answer(engine, first, second)
    except QueryError as exc:
        if reopen is None or not _stale_files(exc):
            raise
        engine.backend = reopen()
        return _answer(engine, first, second)


def send_message(conn: Connection, obj: Any) -> None:
    """Send ``obj`` to the other end of a worker pipe (read with :func:`receive_message`)."""
    # Plain pickle: ``Connection.send``'s ForkingPickler builds its reducer table on every
    # call, twice the cost of the pickle itself for a query's small message and answer.
    conn.send_bytes(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


def receive_message(conn: Connection) -> Any:
    """The next object :func:`send_message` sent on a worker pipe."""
    return pickle.loads(conn.recv_bytes())


def _serve_queries(
    conn: Connection, engine: QueryEngine, reopen: Callable[[], OxigraphBackend] | None = None
) -> None:
    """The worker's loop: one message in, one result (or error tuple) out, until EOF."""
    while True:
        try:
            message = receive_message(conn)
        except (EOFError, OSError):
            return
        reply: tuple[Any, ...]
        try:
            reply = ("ok", _handle(engine, message, reopen))
        except QueryError as exc:
            reply = ("error", type(exc).__name__, exc.message, exc.line, exc.column)
        except MemoryError:
            reply = ("error", "QueryTooLarge", "", None, None)
        except ClusterkgError as exc:  # a refusal of a called function (e.g. a size cap)
            reply = ("raise", exc)
        except Exception as exc:  # noqa: BLE001 - a worker must answer, never die silently
            reply = ("error", "QueryError", f"the store failed: {exc}", None, None)
        try:
            send_message(conn, reply)
        except (OSError, ValueError):
            return


class IsolatedEngine(QueryEngine):
    """A :class:`QueryEngine` that runs each query in a pool of killable worker processes.

    Its backend is the knowledge graph's :class:`GuardedBackend` around an Oxigraph store;
    updates run in this process, under the guard's write lock (trusted: they need the token).
    """

    def __init__(
        self,
        backend: GuardedBackend,
        *,
        workers: int = 4,
        memory_mb: int | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(backend.raw, OxigraphBackend):
            raise TypeError("query workers need an Oxigraph store")
        super().__init__(backend, **kwargs)
        self.guarded = backend
        self.raw: OxigraphBackend = backend.raw
        self.size = max(1, workers)
        #: Memory (MB) a worker may map beyond what it inherits (see :func:`_limit_memory`).
        self.memory_mb = memory_mb or default_memory_mb(self.size)
        self._updates = threading.Lock()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: dict[int, _Worker] = {}
        self._forking = 0
        self._closed = False
        self.timeouts = 0
        #: Requests stopped because their client had gone (for monitoring and tests).
        self.abandoned = 0
        #: Functions run through :meth:`call` (for monitoring and tests).
        self.calls = 0
        backend.on_close(self.shutdown)

    # -- workers ---------------------------------------------------------------------------
    def _child(self, conn: Connection) -> None:
        """The body of a forked worker: open its view of the store, then serve queries."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # Inherited client sockets would stay open while the worker lives and hold back the
        # end of other responses: keep only stdio and our pipe.
        keep = conn.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, _max_fd())
        backend = self.raw
        reopen = None
        if self.raw.path is not None:
            path = self.raw.path

            def reopen() -> OxigraphBackend:
                return _open_read_only(path)

            backend = reopen()
        engine = QueryEngine(
            backend,
            timeout=self.timeout,
            row_limit=self.row_limit,
            service_allowlist=self.service_allowlist,
            result_max_bytes=self.result_max_bytes,
        )
        _limit_memory(self.memory_mb)
        _serve_queries(conn, engine, reopen)

    def _fork(self) -> _Worker:
        parent_end, child_end = Pipe(duplex=True)
        self.guarded.lock.acquire_write()
        try:
            generation = self.guarded.generation
            pid = os.fork()
            if pid == 0:  # child: never returns
                code = 0
                try:
                    self._child(child_end)
                except BaseException as exc:  # noqa: BLE001
                    # stderr is kept open: the operator sees why a worker could not start.
                    os.write(2, f"clusterkg query worker {os.getpid()} failed: {exc!r}\n".encode())
                    code = 1
                finally:
                    os._exit(code)
        finally:
            self.guarded.lock.release_write()
        child_end.close()
        worker = _Worker(pid, parent_end, generation, _statm(1))
        with self._cond:
            self._all[pid] = worker
        return worker

    def _kill(self, worker: _Worker) -> tuple[int, int]:
        """Stop and reap ``worker``: its exit status and its peak resident memory (bytes).

        A worker that already died keeps the status of its own death (a zombie ignores the
        ``SIGKILL``).
        """
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status, peak = 0, 0
        try:
            _, status, usage = os.wait4(worker.pid, 0)
            peak = usage.ru_maxrss * 1024  # kilobytes on Linux
        except ChildProcessError:
            pass
        worker.conn.close()
        with self._cond:
            self._all.pop(worker.pid, None)
            self._cond.notify()
        return status, peak

    def _died(self, worker: _Worker, what: str) -> QueryError:
        """Reap a worker that stopped answering, and the error that says why, for people."""
        status, peak = self._kill(worker)
        signalled = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        # Rust aborts (SIGABRT) when an allocation fails, i.e. at the ceiling; a deep recursion
        # ends in SIGSEGV instead (no Rust main thread installs a stack-overflow handler).
        if signalled == signal.SIGABRT or peak - worker.inherited >= (self.memory_mb << 20):
            return too_large(self.memory_mb, what)
        if signalled is not None and signalled != signal.SIGKILL:
            name = signal.Signals(signalled).name
            return QueryError(
                f"the {what} crashed the SPARQL engine ({name}; for example by nesting "
                "groups or expressions too deeply) and was stopped; simplify it"
            )
        return QueryError(f"the query worker stopped unexpectedly during the {what}; try again")

    def _checkout(self, deadline: float) -> _Worker:
        stale: _Worker | None = None
        with self._cond:
            while True:
                if self._closed:
                    raise QueryError("the server is shutting down")
                if self._idle:
                    worker = self._idle.pop()
                    if worker.generation == self.guarded.generation:
                        return worker
                    stale = worker
                    self._forking += 1  # keep the slot while the stale worker is replaced
                    break
                if len(self._all) + self._forking < self.size:
                    self._forking += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout(
                        "the server is busy: no query worker became free "
                        "within the time limit; try again later"
                    )
                self._cond.wait(remaining)
        try:
            if stale is not None:
                self._kill(stale)
            return self._fork()
        finally:
            with self._cond:
                self._forking -= 1

    def _checkin(self, worker: _Worker) -> None:
        with self._cond:
            if not self._closed:
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

    # -- one request to a worker -----------------------------------------------------------
    def _ask(self, message: tuple[Any, ...], budget: float, what: str, *, discard: bool) -> Any:
        """Send ``message`` to a free worker and return its answer, within ``budget`` seconds.

        Past the budget the worker is killed (:class:`QueryTimeout`); a worker that dies or
        crosses its memory ceiling is replaced and the error says why (``what`` names the
        request: "query", "update", ...). ``discard`` replaces the worker afterwards (an
        update changed its copy of the data).
        """
        deadline = time.monotonic() + budget
        worker: _Worker | None = self._checkout(deadline)
        assert worker is not None
        try:
            send_message(worker.conn, message)
            answered = self._answer_within(worker, deadline)
            if answered is None:  # its client has gone: nobody reads the answer
                self._kill(worker)
                worker = None
                self.abandoned += 1
                raise abandon.RequesterGone(
                    f"the client closed its connection, so its {what} was stopped"
                )
            if not answered:
                self._kill(worker)
                worker = None
                self.timeouts += 1
                raise QueryTimeout(
                    f"the {what} ran longer than the {budget:g} s limit and was stopped"
                    + (
                        "; narrow it down (LIMIT, more specific patterns)"
                        if what == "query"
                        else ""
                    )
                )
            reply = receive_message(worker.conn)
            if discard or (reply[0] == "error" and reply[1] == "QueryTooLarge"):
                self._kill(worker)  # replaced: its heap may stay fragmented near the ceiling
                worker = None
        except (EOFError, OSError):
            dead, worker = worker, None
            if dead is None:
                raise
            raise self._died(dead, what) from None
        finally:
            if worker is not None:
                self._checkin(worker)
        if reply[0] == "ok":
            value = reply[1]
            return value.decode() if isinstance(value, EncodedResult) else value
        if reply[0] == "raise":
            raise reply[1]
        _, name, message_text, line, column = reply
        if name == "QueryTooLarge":
            raise too_large(self.memory_mb, what)
        raise _ERRORS.get(name, QueryError)(message_text, line, column)

    @staticmethod
    def _answer_within(worker: _Worker, deadline: float) -> bool | None:
        """Whether ``worker`` answers before ``deadline``; None as soon as the requester has
        gone (:mod:`clusterkg.store.abandon`), looked at every :data:`~abandon.POLL_S` s."""
        if abandon.current() is None:
            return worker.readable(deadline - time.monotonic())
        while True:
            left = deadline - time.monotonic()
            if worker.readable(min(left, abandon.POLL_S)):
                return True
            if left <= abandon.POLL_S:
                return False
            if abandon.requester_gone():
                return None

    # -- queries, updates, heavy work -------------------------------------------------------
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
        """:meth:`QueryEngine.query` in a worker; past ``timeout`` the worker is killed.

        The arguments mean what they mean there (``convert``, a module-level function, runs
        in the worker and its result must pickle).
        """
        self.check_query(sparql)  # refused here already, without occupying a worker
        budget = self.timeout if timeout is None else timeout
        kwargs = {
            "bindings": dict(bindings or {}),
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "timeout": budget,
            "row_limit": row_limit,
            "native": dict(native) if native else None,
            "base_iri": base_iri,
            "convert": convert,
        }
        return self._ask(("query", sparql, kwargs), budget, "query", discard=False)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update under the query time limit and memory ceiling, all or nothing.

        In-memory store: first tried in a worker (:func:`_try_update`), whose copy-on-write
        image holds the same data, so the trial meets the time limit, the memory ceiling and
        any crash of the engine (5,000 nested braces overflow its parser's stack) in a worker
        and an update that fails its trial changes nothing; then run for real in this process.
        Updates run one at a time, so the data a trial saw is the data the update meets.

        ``oxigraph:DIR`` store: run for real in a process of its own that owns the folder
        meanwhile (:meth:`_update_folder`), killed at the time limit; Oxigraph commits each
        update request as one transaction, so a killed update leaves no partial write.
        """
        if not self.allow_updates:
            raise QueryRefused("updates are disabled on this server")
        self.check_update(sparql)
        with self._updates:
            if getattr(self.raw, "writer", None) is not None:
                # One server process of several (clusterkg.web.prefork): the process that owns
                # the folder runs the update by this same method, under its limits, says what
                # failed in the same words and counts the shared generation. This process's
                # readers go on meanwhile (no write lock here), from the data before it.
                self.raw.update(sparql, base_iri=base_iri)
                return
            try:
                if self.raw.path is not None:
                    self._update_folder(sparql, base_iri)
                    return
                # The trial changed the worker's copy of the data: it is replaced afterwards.
                self._ask(("update", sparql, base_iri), self.timeout, "update", discard=True)
                with store_errors():
                    self.guarded.update(sparql, base_iri=base_iri)
            except QueryError as exc:
                raise type(exc)(
                    f"{exc.message} (nothing was changed)", exc.line, exc.column
                ) from None

    def _update_folder(self, sparql: str, base_iri: str | None) -> None:
        """Run an update on the ``oxigraph:DIR`` store in a child process, within the limit.

        RocksDB lets one process write a folder, so this process closes its store, a forked
        child opens it read-write, runs the update (one transaction) and closes it, and this
        process opens it again. Meanwhile the guard's write lock keeps this process's own
        threads off the store; the query workers keep answering from their read-only views
        (of the data before the update: it is not committed until it is whole). Past the time
        limit, or at a crash or the memory ceiling, the child is killed: its transaction was
        never committed, so nothing of the update is written. The generation grows either
        way, so every worker is replaced before its next query.
        """
        path = self.raw.path
        assert path is not None

        def run() -> None:
            self.raw.close()
            try:
                self._run_owner(path, sparql, base_iri)
            finally:
                self.raw.reopen()

        self.guarded._write(run)

    def _run_owner(self, path: Path, sparql: str, base_iri: str | None) -> None:
        """Run the update in :mod:`clusterkg.store.update_process` (a fresh interpreter: a
        fork of this threaded process could deadlock in RocksDB) and wait for it, within the
        time limit (see :meth:`_update_folder`)."""
        request = {"path": str(path), "sparql": sparql, "base_iri": base_iri}
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("update_process.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        budget = self.timeout
        try:
            out, err = proc.communicate(
                json.dumps({**request, "memory_mb": self.memory_mb}).encode(), timeout=budget
            )
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            self.timeouts += 1
            raise QueryTimeout(
                f"the update ran longer than the {budget:g} s limit and was stopped"
            ) from None
        if proc.returncode != 0 or not out:
            raise self._owner_died(proc.returncode, err)
        reply = json.loads(out)
        if reply.get("ok"):
            return
        kind, message_text = reply["error"], reply["message"]
        if kind == "MemoryError":
            raise too_large(self.memory_mb, "update")
        if kind == "open":
            raise BackendError(f"cannot open the Oxigraph store at {path}: {message_text}")
        raised = {"SyntaxError": SyntaxError, "RuntimeError": RuntimeError, "OSError": OSError}
        with store_errors():  # the messages, lines and columns of an update run here
            if kind in raised:
                raise raised[kind](message_text)
        raise QueryError(f"the store failed: {message_text}")

    def _owner_died(self, returncode: int, stderr: bytes) -> QueryError:
        """The error, for people, of an update process that died without answering."""
        if returncode == -signal.SIGABRT:  # Rust aborts when an allocation fails
            return too_large(self.memory_mb, "update")
        if returncode < 0:
            name = signal.Signals(-returncode).name
            return QueryError(
                f"the update crashed the SPARQL engine ({name}; for example by nesting "
                "groups or expressions too deeply) and was stopped; simplify it"
            )
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return QueryError(f"the update process stopped unexpectedly: {last[0][:300]}")

    def call(self, function: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """``function(*args)`` in a worker, under the query time limit and memory ceiling.

        ``function`` must be a module-level function (it is sent by name) and its arguments
        and result must pickle. Heavy work a request causes (layouts, centralities) runs
        here, so a client cannot hold the server's CPU past the limit. A
        :class:`~clusterkg.errors.ClusterkgError` it raises reaches the caller as raised.
        """
        return self._call("call", function, args, timeout)

    def call_with_store(
        self, function: Callable[..., T], *args: Any, timeout: float | None = None
    ) -> T:
        """``function(backend, *args)`` in a worker, with the worker's own copy or view of
        the store as ``backend``, as :meth:`call` (reading the whole store, e.g. for a dump,
        then costs the worker, not the server process)."""
        return self._call("call_with_store", function, args, timeout)

    def _call(
        self, op: str, function: Callable[..., T], args: tuple[Any, ...], timeout: float | None
    ) -> T:
        budget = self.timeout if timeout is None else timeout
        with self._cond:
            self.calls += 1
        result: T = self._ask((op, function, args), budget, "computation", discard=False)
        return result
