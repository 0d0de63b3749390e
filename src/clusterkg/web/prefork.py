"""Several server processes on one listening socket: ``clusterkg serve --processes N``.

One Python process serves HTTP on one core (the GIL); the query workers are separate processes
already, but the HTTP parsing, routing and responses of every request run in the server. So
``--processes N`` binds the socket once, opens (and loads) the store once, and forks ``N``
server processes that accept from the same socket (the kernel hands each connection to one
of them), each with its own waitress threads and its own query workers.

What stays true for every reader:

- the processes share one generation counter (:meth:`GuardedBackend.share`): a write through
  any process retires the query workers and the cached views of all of them, so a read after
  a write sees it, whichever process answers;
- an ``oxigraph:DIR`` store is written only by the first process, the one that opened and
  loaded it and forked the others (RocksDB lets one process write a folder, and its
  background threads do not survive a fork): a server process sends each write there over a
  pipe and waits for it to be flushed (:meth:`OxigraphBackend.write_through`), and every
  server process reads a view it reopens after each write; a ``sparql:`` store is shared by
  nature;
- the memory store exists once per process (copied at the fork), so it can only be shared
  read-only: updates on it with more than one process are refused when the server starts.

The limits hold in total: a client's fair share of workers counts its requests in every process
(:class:`clusterkg.web.limits.SharedCounts`), and the connection table and the connections of
one client are divided among the processes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, cast

from clusterkg.config import Settings
from clusterkg.errors import SettingsError
from clusterkg.store.kg import KnowledgeGraph
from clusterkg.store.oxigraph_backend import OxigraphBackend, portable_error

#: Pending connections the shared socket queues while every process is busy (waitress's own
#: default is 1024 as well).
BACKLOG = 1024
#: Seconds a server process has to finish its requests and stop its workers when told to.
STOP_GRACE = 10.0


def check_processes(settings: Settings) -> None:
    """Refuse, in words, a number of processes the store cannot serve consistently."""
    if settings.processes <= 1:
        return
    if settings.store == "memory" and settings.update_token:
        raise SettingsError(
            f"--processes {settings.processes} (CLUSTERKG_PROCESSES) cannot serve updates on the "
            "memory store: each process would hold its own copy, and a write through one would "
            "not be seen through the others. Use --store oxigraph:DIR (or sparql:URL) for "
            "updates with several processes, or serve the memory store read-only (no "
            "--update-token), or with --processes 1"
        )


def per_process(settings: Settings) -> Settings:
    """The settings of one of ``settings.processes`` server processes: the connection table
    and a client's connections divided among them, so that the totals stay bounded."""
    n = settings.processes
    if n <= 1:
        return settings
    return replace(
        settings,
        connection_limit=max(1, settings.connection_limit // n),
        client_connections=max(1, settings.client_connections // n),
    )


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a free port) and listening."""
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(info[4])
    sock.listen(BACKLOG)
    return sock


def share_store(kg: KnowledgeGraph) -> None:
    """Make ``kg``'s generation counter one for every forked process (before they fork)."""
    kg.backend.share(multiprocessing.get_context("fork").Value("q", 0))


def _writes_to_parent(kg: KnowledgeGraph) -> bool:
    raw = kg.backend.raw
    return isinstance(raw, OxigraphBackend) and raw.path is not None


def _stop(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _child(kg: KnowledgeGraph, serve: Callable[[], Any], writer: Connection | None) -> int:
    """The body of one server process: its own view of the store, then serve until told."""
    signal.signal(signal.SIGTERM, _stop)
    raw = kg.backend.raw
    if writer is not None and isinstance(raw, OxigraphBackend):
        raw.write_through(writer)
    run_until_stopped(serve(), kg)
    return 0


def run_until_stopped(server: Any, kg: KnowledgeGraph) -> None:
    """Serve with ``server`` until Ctrl-C (or SIGTERM in a server process), then close it and
    the knowledge graph (its query workers)."""
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        kg.close()


def run_processes(kg: KnowledgeGraph, processes: int, serve: Callable[[], Any]) -> int:
    """Fork ``processes`` server processes, each calling ``serve()`` for its waitress server
    (on the socket bound before), and wait for them, making the writes they send to an
    ``oxigraph:DIR`` store. One that ends on its own ends the others (a server that lost a
    process would serve with fewer limits than it says). Returns the exit status for the
    command."""
    children: list[int] = []
    pipes: dict[Connection, int] = {}
    for _ in range(processes):
        ours, theirs = Pipe() if _writes_to_parent(kg) else (None, None)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, reported by its exit status
            code = 1
            try:
                for other in pipes:
                    other.close()
                code = _child(kg, serve, theirs)
            except BaseException as exc:  # noqa: BLE001 - a process must say why it ended
                os.write(2, f"clusterkg server process {os.getpid()} failed: {exc!r}\n".encode())
            finally:
                sys.stdout.flush()
                os._exit(code)
        children.append(pid)
        if ours is not None and theirs is not None:
            theirs.close()
            pipes[ours] = pid
    # SIGTERM (a service manager, ``timeout``) stops the children as Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, _stop)
    status = 0
    try:
        status = _supervise(kg, pipes)
    except KeyboardInterrupt:
        pass
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        _reap(children)
        signal.signal(signal.SIGTERM, previous)
    return status


def _reap(children: list[int]) -> None:
    """Wait for the stopped ``children``; any still running after the grace time is killed."""
    deadline = time.monotonic() + STOP_GRACE
    left = set(children)
    while left:
        for pid in list(left):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                left.discard(pid)
        if left and time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            deadline = float("inf")
        if left:
            time.sleep(0.05)


def _apply(kg: KnowledgeGraph, raw: OxigraphBackend, message: Any) -> tuple[Any, ...]:
    """Make one write a server process sent: a SPARQL Update through the engine (in a process
    of its own, under the time limit and memory ceiling, no partial write:
    :meth:`clusterkg.store.workers.IsolatedEngine.update`), any other write on the store."""
    name, args = message
    if name != "update":
        return raw.apply_write(message)
    try:
        kg.engine.update(args[0], base_iri=args[1])
    except Exception as exc:  # noqa: BLE001 - sent back to be raised where it was asked
        return ("raise", portable_error(exc))
    return ("ok",)


def _supervise(kg: KnowledgeGraph, pipes: dict[Connection, int]) -> int:
    """Make the writes the server processes send, until one of them ends: its status."""
    raw = kg.backend.raw
    while True:
        ready = cast("list[Connection]", wait(list(pipes), timeout=0.5) if pipes else [])
        for conn in ready:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                pipes.pop(conn)  # conn is a Connection: wait() returned it
                continue
            assert isinstance(raw, OxigraphBackend)
            with contextlib.suppress(OSError):
                conn.send(_apply(kg, raw, message))
        if not pipes:
            pid, raw_status = os.waitpid(-1, 0)
        else:
            pid, raw_status = os.waitpid(-1, os.WNOHANG)
        if pid:
            if os.waitstatus_to_exitcode(raw_status) != 0:
                sys.stderr.write("clusterkg: a server process ended; stopping the others\n")
                return 1
            return 0
