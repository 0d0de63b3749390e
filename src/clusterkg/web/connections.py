"""The waitress server of ``clusterkg serve``, guarded against slow and idle connections.

waitress alone keeps a connection as long as it sends a byte now and then (its
``channel_timeout`` counts from the last byte received), and stops accepting once
``connection_limit`` connections are open; so 100 connections trickling their headers lock
every other client out ("Slowloris", R. Hansen 2009). Three rules bound that here:

- a request whose headers are not complete ``header_timeout`` seconds after its first byte
  (or, on a fresh connection, after the connect) is closed, however it trickles;
- one client (remote address) holds at most ``client_connections`` connections; a connection
  beyond that is closed as soon as it is accepted, so one address cannot fill the table;
- connections idle between requests are closed after ``idle_timeout`` (waitress's
  ``channel_timeout``), and so is a request whose body is still arriving ``idle_timeout``
  seconds after its first byte (a trickled body, "slow POST"); all checked every second
  (``cleanup_interval``).

The table itself is ``connection_limit`` connections, served with ``poll`` rather than
``select`` (which cannot watch descriptors above 1024).

A response whose first body chunk is small goes out in one write with its headers
(:class:`OneWriteTask`): waitress writes them separately, two sends and two TCP segments for
every small answer such as a lookup.

The errors waitress answers itself, before the app sees the request (a body or headers over
the limit, a request line or chunked body it cannot parse), carry the app's safety headers, a
request id, and a sentence for a person (:class:`ExplainedErrorTask`). The connection then
ends with a *lingering close*: the server stops writing, reads and drops what the client is
still sending for up to :data:`LINGER_S`, then closes. Closing a socket with unread input
sends a TCP reset, which can destroy the answer before the client reads it (a client still
uploading a too-large body gets "connection reset" instead of the 413). This is the staged
close of RFC 9112 section 9.6 ("the TCP reset problem"), as nginx's ``lingering_close``.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import socket
import time
from typing import Any

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import (
    Error,
    InternalServerError,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
)

from clusterkg.config import Settings
from clusterkg.web import security
from clusterkg.web.errors import log, new_request_id

#: After an error answer, how long (s) and how much (bytes) of the client's unread input the
#: lingering close reads and drops before it closes the socket anyway.
LINGER_S = 2.0
LINGER_BYTES = 64 << 20

#: Seconds between two sweeps for timed-out connections (waitress polls once a second anyway).
CLEANUP_INTERVAL = 1
#: File descriptors the server needs beside its connections (store, workers' pipes, logs).
SPARE_DESCRIPTORS = 256
#: The largest first body chunk sent in one write with the headers (copied once to join them).
ONE_WRITE_BYTES = 64 * 1024


class TimedParser(HTTPRequestParser):
    """waitress's request parser, remembering when the request's first byte arrived."""

    def __init__(self, adj: Any) -> None:
        super().__init__(adj)
        self.started = time.time()


class OneWriteTask(WSGITask):
    """waitress's WSGI task, sending the headers and a small first body chunk in one write.

    Only the plain case is joined (a first chunk of bytes within the ``Content-Length``, not
    chunked, not a file, not a body-less answer): anything else takes waitress's own ``write``
    after the headers, as do all later chunks.
    """

    wrote_header: bool  # waitress's attribute, declared for the type checker

    def write(self, data: Any) -> None:
        if (
            self.wrote_header
            or not self.complete
            or type(data) is not bytes
            or not data
            or len(data) > ONE_WRITE_BYTES
        ):
            super().write(data)
            return
        head = self.build_response_header()  # decides Content-Length or chunking
        self.wrote_header = True
        cl = self.content_length
        if not self.has_body or self.chunked_response or (cl is not None and len(data) > cl):
            self.channel.write_soon(head)
            super().write(data)  # the headers are written: waitress's own path for the body
            return
        if cl is not None:
            self.content_bytes_written += len(data)
        self.channel.write_soon(head + data)


#: What waitress's error texts mean, for a person (waitress.parser, waitress.receiver); a text
#: not listed here is passed on as waitress words it.
PARSE_ERRORS = {
    "Start line is invalid": "the request does not start with a request line such as "
    "'GET /path HTTP/1.1'",
    "Malformed HTTP method": "the request line's method is not a valid HTTP method",
    "Bad URI": "the request path is not a valid URI: characters outside ASCII must be "
    "percent-encoded (UTF-8)",
    "Invalid chunk size": "the chunked request body is malformed: a chunk size is not a "
    "hexadecimal number",
    "Invalid chunk extension": "the chunked request body is malformed: invalid chunk extension",
    "Chunk not properly terminated": "the chunked request body is malformed: a chunk does not "
    "end with CRLF",
    "Content-Length is invalid": "the Content-Length header is not a number",
    "Transfer-Encoding requested is not supported": "the request's Transfer-Encoding is not "
    "supported (only chunked is)",
    "Invalid header": "a request header is malformed",
    "Malformed header line": "a request header is malformed",
    "Bare CR or LF": "the request has a bare CR or LF where CRLF is required",
    "HTTP message header invalid": "the request headers are malformed",
}


def explain(error: Error, adj: Any) -> str:
    """The sentence a person reads for waitress's ``error`` (``adj``: the server's settings)."""
    if isinstance(error, RequestEntityTooLarge):
        # waitress refuses a body of max_request_body_size bytes or more
        return f"the request body is larger than the {adj.max_request_body_size - 1} byte limit"
    if isinstance(error, RequestHeaderFieldsTooLarge):
        return (
            f"the request line and headers are larger than the {adj.max_request_header_size} "
            "byte limit (send a long query in a POST body)"
        )
    if isinstance(error, InternalServerError):  # the app failed outside its own handlers
        return "internal server error; the server log has the details under this request id"
    text = str(error.body)
    for start, sentence in PARSE_ERRORS.items():
        if text.startswith(start):
            return sentence
    return f"{error.reason.lower()}: {text}"


class ExplainedErrorTask(ErrorTask):
    """waitress's error answer with the app's safety and CORS headers, an ``X-Request-Id``,
    and a plain-text body in the app's words: the status, what is wrong, the request id.
    Logged as the app logs its errors. The status is waitress's, and so is closing the
    connection afterwards (the rest of the request is not read)."""

    def execute(self) -> None:
        request = self.request
        error = request.error
        headers = request.headers  # as far as they were parsed: upper case, "-" as "_"
        rid = new_request_id(headers.get("X_REQUEST_ID"))
        message = explain(error, self.channel.server.adj)
        if isinstance(error, RequestHeaderFieldsTooLarge):
            method = path = "-"  # waitress parsed a stand-in "GET /", not the request
        else:
            # set only once the request line is parsed
            method = getattr(request, "command", "") or "-"
            path = getattr(request, "path", "") or "-"
        level = logging.ERROR if isinstance(error, InternalServerError) else logging.INFO
        log.log(level, "request %s: %s %s -> %d %s", rid, method, path, error.code, message)
        body = f"{error.code} {message}\n(request id {rid})\n".encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [("Content-Type", "text/plain; charset=utf-8"), ("X-Request-Id", rid)]
        )
        self.response_headers.extend(
            security.response_headers(
                (), method, lambda name: headers.get(name.upper().replace("-", "_"))
            )
        )
        self.set_close_on_finish()
        self.channel.linger_after_close = True  # the client may still be sending: drain it
        self.content_length = len(body)
        self.write(body)


def guarded_channel(client_connections: int) -> type[HTTPChannel]:
    """A channel class that refuses a connection beyond ``client_connections`` per address."""

    class GuardedChannel(HTTPChannel):
        parser_class = TimedParser
        task_class = OneWriteTask
        error_task_class = ExplainedErrorTask

        def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
            super().__init__(server, sock, addr, adj, map=map)
            host = _host(addr)
            same = sum(
                1
                for channel in (map or {}).values()
                if isinstance(channel, HTTPChannel) and _host(channel.addr) == host
            )
            if same > client_connections:
                self.will_close = True  # closed on the loop's next turn, before any read

        #: Set by an error answer: end with a lingering close (see the module docstring).
        linger_after_close = False
        #: While lingering: when to close anyway (monotonic s), and bytes still to drop.
        linger_deadline: float | None = None
        linger_left = 0

        def handle_close(self) -> None:
            if self.linger_after_close and self.linger_deadline is None and self.connected:
                self.linger_after_close = False
                try:
                    self.socket.shutdown(socket.SHUT_WR)  # the answer, then FIN
                except OSError:
                    super().handle_close()
                    return
                self.linger_deadline = time.monotonic() + LINGER_S
                self.linger_left = LINGER_BYTES
                self.will_close = self.close_when_flushed = False
                return
            self.linger_deadline = None
            super().handle_close()

        def readable(self) -> bool:
            return True if self.linger_deadline is not None else bool(super().readable())

        def writable(self) -> bool:
            # while lingering only a forced close (the sweep's will_close) writes
            if self.linger_deadline is not None:
                return self.will_close
            return bool(super().writable())

        def handle_write(self) -> None:
            if self.linger_deadline is not None:
                self.handle_close()  # forced: the deadline passed or the sweep closed it
                return
            super().handle_write()

        def handle_read(self) -> None:
            if self.linger_deadline is None:
                super().handle_read()
                return
            try:
                data = self.socket.recv(65536)
            except BlockingIOError:
                return  # nothing to read after all
            except OSError:
                data = b""
            self.linger_left -= len(data)
            if not data or self.linger_left <= 0 or time.monotonic() > self.linger_deadline:
                self.handle_close()

    return GuardedChannel


def _host(addr: Any) -> Any:
    return addr[0] if isinstance(addr, tuple) and addr else addr


def sweep(server: BaseWSGIServer, now: float, header_timeout: float, idle_timeout: float) -> None:
    """waitress's idle sweep, plus: close every connection whose request headers are overdue
    (``header_timeout``) or whose request body is still arriving ``idle_timeout`` seconds
    after the request's first byte."""
    BaseWSGIServer.maintenance(server, now)
    cutoff = now - header_timeout
    body_cutoff = now - idle_timeout
    mono = time.monotonic()
    for channel in list(server.active_channels.values()):
        deadline = getattr(channel, "linger_deadline", None)
        if deadline is not None:
            if mono > deadline:  # a client that neither sends nor closes
                channel.will_close = True
            continue
        if channel.requests or channel.will_close:
            continue  # a request is being served: the query time limit bounds it
        request = channel.request
        if request is None:
            # Nothing received since the connect (a request just finished resets
            # ``last_activity``; that wait is the idle timeout's).
            if channel.last_activity == channel.creation_time and channel.creation_time < cutoff:
                channel.will_close = True
        elif not request.headers_finished and request.started < cutoff:
            channel.will_close = True
        elif request.started < body_cutoff:
            # A body trickled a byte at a time ("slow POST") is never idle long enough.
            channel.will_close = True


def _raise_descriptor_limit(connections: int) -> None:
    """Raise the soft limit of open files so that ``connections`` sockets fit, if allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < want:
        target = want if hard == resource.RLIM_INFINITY else min(want, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def guarded_server(app: Any, settings: Settings, **options: Any) -> Any:
    """A waitress server for ``app`` (``options`` as for :func:`waitress.create_server`) with
    the connection limits of ``settings`` applied."""
    _raise_descriptor_limit(settings.connection_limit)
    server = create_server(
        app,
        connection_limit=settings.connection_limit,
        channel_timeout=max(1, round(settings.idle_timeout)),
        cleanup_interval=CLEANUP_INTERVAL,
        asyncore_use_poll=True,
        # Keep reading while a request runs, so that a client that closes its connection is
        # seen and its query stopped (clusterkg.store.abandon). A client that half-closes
        # after its request is taken to have left too, as nginx does.
        channel_request_lookahead=1,
        **options,
    )
    listeners = (
        [server]
        if isinstance(server, BaseWSGIServer)
        else [s for s in server.map.values() if isinstance(s, BaseWSGIServer)]
    )
    channel_class = guarded_channel(settings.client_connections)
    for listener in listeners:
        listener.channel_class = channel_class
        listener.maintenance = lambda now, s=listener: sweep(
            s, now, settings.header_timeout, settings.idle_timeout
        )
    return server
