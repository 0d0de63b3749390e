"""What another HTTP front would buy: the floor of each serving design, beside oxigraph serve.

Issue 14 asks for a lookup p50 within 1.5x of ``oxigraph serve``, ``ASK {}`` within 2x and
8-client throughput of at least 0.8x. ``benchmarks.side_by_side`` shows clusterkg serve
(waitress, Flask, a killable query worker per request) at 4-7x and 0.1x. This harness measures,
in one run on the same N-Triples file, the *least* each design could cost: minimal servers that
only parse a form-encoded POST, run the query and write SPARQL JSON, with none of clusterkg's
checks, headers, limits or logs. A design whose floor misses a target cannot meet it once the
real work is added, so the table says which fronts are worth building.

The fronts (each a child process of this module, ``--serve KIND``):

- ``asyncio-inproc``: uvloop and httptools (C parser), the query in the event loop. The floor of
  any Python front; it is not a safe design (a runaway query holds the loop, no memory ceiling).
- ``asyncio-worker``: the same front, the query in a forked worker process over a socketpair,
  read back by a persistent reader callback: clusterkg's killable-worker isolation at its
  cheapest.
- ``uvicorn-inproc``: uvicorn (a well-kept ASGI server on uvloop and httptools), query in-process.
- ``granian-worker``: granian (HTTP in Rust, RSGI), the query in a forked worker.

Usage::

    python -m benchmarks.front_floor [--data FILE] [--reps 500] [--seconds 4] [--json OUT]

The fronts' packages (uvloop, httptools, uvicorn, granian) are in the ``test`` extra, which
``make bench`` installs; a front whose package is missing is reported as such, not measured. ``tests/benchmarks/test_front_floor.py`` checks on
the bundled graphs that every front answers what oxigraph serve answers; no timing is judged in
tests.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

from benchmarks import side_by_side as sbs

#: front -> the Python packages it needs.
FRONTS: dict[str, tuple[str, ...]] = {
    "asyncio-inproc": ("uvloop", "httptools"),
    "asyncio-worker": ("uvloop", "httptools"),
    "uvicorn-inproc": ("uvicorn", "uvloop", "httptools"),
    "granian-worker": ("granian",),
}
_JSON = ox.QueryResultsFormat.JSON
_FRAME = struct.Struct("!I")


# -- what every front does with a query -------------------------------------------------------
def _load(nt: str) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=nt, format=ox.RdfFormat.N_TRIPLES)
    return store


def _answer(store: ox.Store, query: str) -> bytes:
    """SPARQL JSON of ``query``, written by Oxigraph (as clusterkg's worker does)."""
    result = store.query(query)
    if isinstance(result, ox.QueryBoolean):
        return b'{"head":{},"boolean":%s}' % (b"true" if bool(result) else b"false")
    return result.serialize(format=_JSON)  # type: ignore[union-attr]


def _query_of(body: bytes) -> str:
    return parse_qs(body.decode())["query"][0]


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _worker_loop(sock: socket.socket, store: ox.Store) -> None:
    """A forked query worker: length-framed query in, length-framed SPARQL JSON out."""
    try:
        while True:
            (n,) = _FRAME.unpack(_recv_exactly(sock, 4))
            out = _answer(store, _recv_exactly(sock, n).decode())
            sock.sendall(_FRAME.pack(len(out)) + out)
    except EOFError:
        os._exit(0)


def _fork_worker(store: ox.Store) -> socket.socket:
    ours, theirs = socket.socketpair()
    if os.fork() == 0:
        ours.close()
        _worker_loop(theirs, store)
    theirs.close()
    return ours


class _Worker:
    """The front's side of one worker: one query at a time, the answer to a callback."""

    def __init__(self, store: ox.Store, loop: asyncio.AbstractEventLoop) -> None:
        self.sock = _fork_worker(store)
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.reply: Any = None
        loop.add_reader(self.sock.fileno(), self._readable)

    def send(self, query: str, reply: Any) -> None:
        data = query.encode()
        self.reply = reply
        self.sock.setblocking(True)
        self.sock.sendall(_FRAME.pack(len(data)) + data)
        self.sock.setblocking(False)

    def _readable(self) -> None:
        self.buf += self.sock.recv(1 << 20)
        if len(self.buf) >= 4:
            (n,) = _FRAME.unpack_from(self.buf)
            if len(self.buf) >= 4 + n:
                out = bytes(self.buf[4 : 4 + n])
                del self.buf[: 4 + n]
                reply, self.reply = self.reply, None
                reply(out)


class _Pool:
    """Idle workers and the requests waiting for one."""

    def __init__(self, store: ox.Store, n: int, loop: asyncio.AbstractEventLoop) -> None:
        self.idle = [_Worker(store, loop) for _ in range(n)]
        self.waiting: list[tuple[str, Any]] = []

    def submit(self, query: str, reply: Any) -> None:
        if self.idle:
            self._run(self.idle.pop(), query, reply)
        else:
            self.waiting.append((query, reply))

    def _run(self, worker: _Worker, query: str, reply: Any) -> None:
        def done(out: bytes) -> None:
            if self.waiting:
                self._run(worker, *self.waiting.pop(0))
            else:
                self.idle.append(worker)
            reply(out)

        worker.send(query, done)

    async def run(self, query: str) -> bytes:
        fut = asyncio.get_running_loop().create_future()
        self.submit(query, fut.set_result)
        return await fut


# -- the fronts -------------------------------------------------------------------------------
def _serve_asyncio(nt: str, port: int, workers: int) -> None:
    import httptools
    import uvloop

    store = _load(nt)
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\ncontent-length: "

    async def main() -> None:
        loop = asyncio.get_running_loop()
        pool = _Pool(store, workers, loop) if workers else None

        class Conn(asyncio.Protocol):
            def connection_made(self, transport: Any) -> None:
                self.transport = transport
                self.parser = httptools.HttpRequestParser(self)
                self.body: list[bytes] = []

            def data_received(self, data: bytes) -> None:
                self.parser.feed_data(data)

            def on_body(self, body: bytes) -> None:
                self.body.append(body)

            def on_message_complete(self) -> None:
                query = _query_of(b"".join(self.body))
                self.body = []
                if pool is None:
                    self.write(_answer(store, query))
                else:
                    pool.submit(query, self.write)

            def write(self, out: bytes) -> None:
                self.transport.write(head + b"%d\r\n\r\n" % len(out) + out)

        server = await loop.create_server(Conn, "127.0.0.1", port)
        print("ready", flush=True)
        await server.serve_forever()

    uvloop.run(main())


def _serve_uvicorn(nt: str, port: int) -> None:
    import uvicorn

    store = _load(nt)

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        out = _answer(store, _query_of(body))
        headers = [(b"content-type", b"application/sparql-results+json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": out})

    uvicorn.run(app, host="127.0.0.1", port=port, loop="uvloop", http="httptools", access_log=False)


class GranianApp:
    """RSGI application for granian: the query in a forked worker (started per granian worker)."""

    def __init__(self) -> None:
        self.store = _load(os.environ["FRONT_FLOOR_NT"])
        self.pool: _Pool | None = None

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = _Pool(self.store, 2, loop)

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        query = _query_of(await protocol())
        assert self.pool is not None
        out = await self.pool.run(query)
        protocol.response_bytes(200, [("content-type", "application/sparql-results+json")], out)


def _granian_app() -> GranianApp:
    return GranianApp()


def _serve_granian(nt: str, port: int) -> None:
    os.environ["FRONT_FLOOR_NT"] = nt
    os.execv(
        sys.executable,
        [
            sys.executable,
            *("-m", "granian", "--interface", "rsgi", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port), "--no-ws", "--log-level", "warning"),
            "benchmarks.front_floor:_granian_app",
        ],
    )


def serve(kind: str, nt: str, port: int) -> None:
    if kind == "asyncio-inproc":
        _serve_asyncio(nt, port, workers=0)
    elif kind == "asyncio-worker":
        _serve_asyncio(nt, port, workers=2)
    elif kind == "uvicorn-inproc":
        _serve_uvicorn(nt, port)
    elif kind == "granian-worker":
        _serve_granian(nt, port)
    else:
        raise SystemExit(f"unknown front {kind!r}; known: {', '.join(FRONTS)}")


# -- measuring --------------------------------------------------------------------------------
def missing(kind: str) -> list[str]:
    return [m for m in FRONTS[kind] if importlib.util.find_spec(m) is None]


def start_front(kind: str, nt: Path) -> sbs.Running:
    port = sbs._free_port()
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.front_floor",
            "--serve",
            kind,
            "--port",
            str(port),
            str(nt),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    sbs._wait_http(url, proc, timeout=120)
    return sbs.Running(kind, proc, url)


def _own_cpu(pid: int) -> float:
    """utime + stime (s) of the process ``pid`` alone, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server: sbs.Running, opts: argparse.Namespace) -> dict[str, Any]:
    out = {
        "label": server.label,
        "lookup": sbs.p50(server.url, sbs.LOOKUP, opts.reps, opts.warmup),
        "ask": sbs.p50(server.url, sbs.ASK, opts.reps, opts.warmup),
    }
    own = _own_cpu(server.proc.pid)
    out["throughput"] = tp = sbs.throughput(server, sbs.LOOKUP, opts.clients, opts.seconds)
    # The front's own share (the rest is its query workers) where the front is one process
    # whose children are the workers: what a front in another language could save at most.
    if server.label in ("clusterkg serve", "asyncio-worker") and tp["requests"]:
        tp["front_cpu_per_request_ms"] = (_own_cpu(server.proc.pid) - own) * 1000 / tp["requests"]
    return out


def run(opts: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "data.nt"
        triples = sbs.write_ntriples(opts.data, nt)
        starts: list[tuple[str, Any]] = [("oxigraph serve", lambda: sbs.start_oxigraph(nt))]
        starts.append(
            (
                "clusterkg serve",
                lambda: sbs.start_clusterkg(nt, 1, 2, 8, 10, label="clusterkg serve"),
            )
        )
        skipped = {}
        for kind in opts.fronts:
            lacking = missing(kind)
            if lacking:
                skipped[kind] = lacking
            else:
                starts.append((kind, lambda kind=kind: start_front(kind, nt)))
        servers = []
        for _label, start in starts:
            server = start()
            try:
                servers.append(measure(server, opts))
            finally:
                server.close()
    return {"triples": triples, "servers": servers, "missing": skipped, "cores": os.cpu_count()}


def markdown(results: dict[str, Any]) -> str:
    ref = results["servers"][0]

    def cell(value: float, ref_value: float, unit: str) -> str:
        return f"{value:,.2f} {unit} ({value / ref_value:.2f}x)"

    lines = [
        f"{results['triples']:,} triples; {results['cores']} cores, the clients on the same "
        "machine. Ratios to oxigraph serve; the targets are issue 14's.",
        "",
        "| server | lookup p50 (<= 1.5x) | `ASK {}` p50 (<= 2x) | 8-client lookups/s (>= 0.8x) "
        "| CPU per lookup (of it: the front process) |",
        "|---|---|---|---|---|",
    ]
    for s in results["servers"]:
        lookup, ask, tp = s["lookup"]["p50_ms"], s["ask"]["p50_ms"], s["throughput"]
        front = tp.get("front_cpu_per_request_ms")
        front = f" ({front:.3f} ms)" if front is not None else ""
        lines.append(
            f"| {s['label']} | {cell(lookup, ref['lookup']['p50_ms'], 'ms')} "
            f"| {cell(ask, ref['ask']['p50_ms'], 'ms')} "
            f"| {cell(tp['requests_per_s'], ref['throughput']['requests_per_s'], '/s')} "
            f"| {tp['cpu_per_request_ms']:.3f} ms{front} |"
        )
    for kind, lacking in results["missing"].items():
        lines.append(f"| {kind} | not measured: {', '.join(lacking)} not installed | | | |")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.front_floor", description=__doc__)
    ap.add_argument("nt", nargs="?", help="(with --serve) the N-Triples file to serve")
    ap.add_argument("--serve", choices=sorted(FRONTS), help="run one front (internal)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--data", type=Path, help="a data file besides the bundled graphs")
    ap.add_argument("--fronts", default=",".join(FRONTS), help="comma-separated fronts")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--json", type=Path)
    return ap


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    opts = parser().parse_args(argv)
    if opts.serve:
        serve(opts.serve, opts.nt, opts.port)
        return None
    opts.fronts = [f for f in opts.fronts.split(",") if f]
    results = run(opts)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=1))
    print(markdown(results))
    return results


if __name__ == "__main__":
    main()
