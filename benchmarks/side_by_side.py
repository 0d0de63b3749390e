"""clusterkg serve beside ``oxigraph serve``: the same file, the same queries, the same run.

Both servers get one N-Triples file (the bundled graphs and, if given, a data file, as
clusterkg's merged default graph sees them; clusterkg serves it as DATA and also loads the
bundled graphs, whose triples the file already holds, so both default graphs are the same set;
``oxigraph serve`` is in memory and gets the file by the Graph Store Protocol). Then, one
after the other on an otherwise idle machine:

- p50 of a point lookup (``SELECT ?p ?o WHERE { <firm> ?p ?o }``) and of ``ASK {}``;
- 8-client throughput of the lookup (client processes, one keep-alive connection each) and the
  servers' CPU per request over it (the server process and its descendants, from /proc);
- p50 of a 4,000-row listing as SPARQL JSON;
- p50 of aggregations over HTTP against Oxigraph in this process (pyoxigraph, same file,
  result iterated);
- a runaway query: what each server does with a cross join that runs for seconds, whose client
  leaves (CPU the server spends after the client has gone), and what ``oxigraph serve
  --timeout-s`` answers for a streaming SELECT past its limit.

Usage::

    python -m benchmarks.side_by_side [--data FILE] [--processes 1,2] [--reps 200]
        [--json OUT] [--markdown BENCHMARKS.md]

``--markdown`` replaces the section ``## Side by side with oxigraph serve`` of the file (or
appends it). No numbers are judged in tests; ``tests/benchmarks`` runs it on tiny data.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from benchmarks.data import CURATED_CUSTOMER
from benchmarks.endpoint import clusterkg_command, percentile
from benchmarks.tasks import data_files

ACCEPT = "application/sparql-results+json"
SECTION = "## Side by side with oxigraph serve"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{CURATED_CUSTOMER}> ?p ?o }}"
ASK = "ASK {}"
LISTING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 4000"
AGGREGATIONS = {
    "entities per class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "statements per property": (
        "SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) WHERE { ?s ?p ?o } "
        "GROUP BY ?p ORDER BY DESC(?n)"
    ),
}
#: Every statement against every typing: seconds of CPU at any size worth measuring.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f . ?g a ?h }"
#: A SELECT whose rows stream out for as long as the engine runs.
STREAMING = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"

#: Targets of issue 14 (ratio of clusterkg to the reference; throughput: at least).
TARGETS = {
    "lookup p50": ("<=", 1.5),
    "ASK {} p50": ("<=", 2.0),
    "8-client lookup throughput": (">=", 0.8),
    "4,000-row listing p50": ("<=", 1.1),
    "aggregation p50": ("<=", 1.05),
}


# -- data -------------------------------------------------------------------------------------
def write_ntriples(data: Path | None, out: Path) -> int:
    """The bundled graphs and ``data`` as one N-Triples file of distinct triples; its size."""
    from clusterkg.config import Settings

    seen: set[ox.Triple] = set()
    with out.open("wb") as fh:
        for f in data_files(Settings.from_env(), str(data) if data else None):
            fmt = ox.RdfFormat.TRIG if f.suffix == ".trig" else ox.RdfFormat.TURTLE
            if f.suffix == ".nt":
                fmt = ox.RdfFormat.N_TRIPLES
            for q in ox.parse(path=str(f), format=fmt, base_iri=f.absolute().as_uri()):
                t = ox.Triple(q.subject, q.predicate, q.object)
                if t not in seen:
                    seen.add(t)
                    fh.write(f"{t.subject} {t.predicate} {t.object} .\n".encode())
    return len(seen)


# -- servers ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.args}")
        try:
            post(url, ASK, timeout=5)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer: {proc.args}")


class Running:
    """A server child process with its query URL."""

    def __init__(self, label: str, proc: subprocess.Popen, url: str) -> None:
        self.label = label
        self.proc = proc
        self.url = url

    def cpu_s(self) -> float:
        """CPU seconds of the server process and all its live descendants."""
        return _tree_cpu(self.proc.pid)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_clusterkg(
    nt: Path,
    processes: int,
    workers: int,
    threads: int,
    timeout: float,
    src: Path | None = None,
    label: str | None = None,
) -> Running:
    """``clusterkg serve`` of this checkout, or of the source folder ``src`` (an earlier
    version, for before/after in one run; it is run with one process)."""
    cmd = [
        *clusterkg_command(),
        "serve",
        *("--host", "127.0.0.1", "--port", "0"),
        *(("--processes", str(processes)) if processes > 1 else ()),
        *("--workers", str(workers), "--threads", str(threads)),
        *("--query-timeout", str(timeout)),
        str(nt),
    ]
    # 8 benchmark clients come from one address: let them all run (the fair share is measured
    # by the tests, not here).
    env = {**os.environ, "CLUSTERKG_CLIENT_CONCURRENCY": str(processes * workers)}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    line = proc.stdout.readline()  # type: ignore[union-attr]
    m = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"clusterkg serve did not start: {line!r}")
    url = m.group(1) + "/sparql"
    _wait_http(url, proc)
    label = label or (
        f"clusterkg serve, {processes} process{'es' if processes > 1 else ''} x {workers} workers"
    )
    return Running(label, proc, url)


def oxigraph_exe() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    return str(exe) if exe.exists() else (shutil.which("oxigraph") or "oxigraph")


def start_oxigraph(nt: Path, timeout_s: float | None = None) -> Running:
    port = _free_port()
    cmd = [oxigraph_exe(), "serve", "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        cmd += ["--timeout-s", f"{timeout_s:g}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/query", proc)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        "/store?default",
        body=nt.read_bytes(),
        headers={"Content-Type": "application/n-triples"},
    )
    resp = conn.getresponse()
    resp.read()
    conn.close()
    if resp.status not in (200, 201, 204):
        raise RuntimeError(f"oxigraph serve refused the data: HTTP {resp.status}")
    label = "oxigraph serve" + (f" --timeout-s {timeout_s:g}" if timeout_s else "")
    return Running(label, proc, base + "/query")


def _tree_cpu(root: int) -> float:
    """utime + stime (s) of ``root`` and its live descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(p for p, parent in parents.items() if parent == pid)
    return total


# -- requests ---------------------------------------------------------------------------------
def post(
    url: str, query: str, timeout: float = 120, conn: http.client.HTTPConnection | None = None
) -> tuple[int, bytes]:
    """POST one form-encoded query; status and body."""
    parts = urlsplit(url)
    own = conn is None
    c = conn or http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        c.request(
            "POST",
            parts.path,
            body=urlencode({"query": query}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT},
        )
        resp = c.getresponse()
        return resp.status, resp.read()
    finally:
        if own:
            c.close()


def _rows(body: bytes) -> int | None:
    doc = json.loads(body)
    return len(doc["results"]["bindings"]) if "results" in doc else None


def p50(url: str, query: str, reps: int, warmup: int) -> dict[str, Any]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    times = []
    rows = None
    try:
        for i in range(warmup + reps):
            start = time.perf_counter()
            status, body = post(url, query, conn=conn)
            elapsed = time.perf_counter() - start
            if status != 200:
                return {"error": f"HTTP {status}: {body[:120]!r}"}
            if i >= warmup:
                times.append(elapsed * 1000)
        rows = _rows(body)
    finally:
        conn.close()
    return {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 95), "rows": rows}


def in_process_p50(nt: Path, query: str, reps: int, warmup: int) -> dict[str, Any]:
    store = ox.Store()
    store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    times = []
    rows = 0
    for i in range(warmup + reps):
        start = time.perf_counter()
        rows = sum(1 for _ in store.query(query))
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": statistics.median(times), "rows": rows}


def _client(url: str, query: str, seconds: float, barrier: Any, out: Any) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    body = urlencode({"query": query})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT}
    done = errors = 0
    barrier.wait()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        conn.request("POST", parts.path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status == 200:
            done += 1
        else:
            errors += 1
    conn.close()
    out.put((done, errors))


def throughput(server: Running, query: str, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` processes sending ``query`` for ``seconds``: requests/s and server CPU."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(clients + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_client, args=(server.url, query, seconds, barrier, out))
        for _ in range(clients)
    ]
    for p in procs:
        p.start()
    cpu0 = server.cpu_s()
    barrier.wait()
    start = time.perf_counter()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - start
    cpu1 = server.cpu_s()
    for p in procs:
        p.join()
    done = sum(r[0] for r in results)
    return {
        "requests_per_s": done / wall,
        "errors": sum(r[1] for r in results),
        "requests": done,
        "cpu_per_request_ms": (cpu1 - cpu0) * 1000 / done if done else None,
    }


def runaway(server: Running, leave_after: float, watch: float) -> dict[str, Any]:
    """Send :data:`RUNAWAY`, leave after ``leave_after`` s, then watch the server's CPU for
    ``watch`` s: the status seen (if any) and the CPU seconds burnt after the client left."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=leave_after)
    status = None
    start = time.perf_counter()
    try:
        conn.request(
            "POST",
            parts.path,
            body=urlencode({"query": RUNAWAY}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT},
        )
        resp = conn.getresponse()
        resp.read()
        status = resp.status
    except OSError:
        pass  # the client gave up: it leaves
    finally:
        conn.close()
    answered = time.perf_counter() - start
    cpu0 = server.cpu_s()
    time.sleep(watch)
    return {
        "status": status,
        "answered_s": answered if status is not None else None,
        "cpu_after_leaving_s": server.cpu_s() - cpu0,
        "watched_s": watch,
    }


def truncated_stream(server: Running) -> dict[str, Any]:
    """What a server answers to :data:`STREAMING` (more rows than anyone wants): status,
    bytes, whether the body is a whole JSON document, rows and the truncation headers."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request(
            "POST",
            parts.path,
            body=urlencode({"query": STREAMING}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT},
        )
        resp = conn.getresponse()
        try:
            body = resp.read()
        except http.client.IncompleteRead as exc:
            body = exc.partial
        headers = dict(resp.getheaders())
    finally:
        conn.close()
    try:
        rows: int | None = _rows(body)
        whole = True
    except ValueError:
        rows, whole = None, False
    return {
        "status": resp.status,
        "bytes": len(body),
        "valid_json": whole,
        "rows": rows,
        "says_truncated": headers.get("X-Clusterkg-Truncated") == "true",
    }


# -- the run ----------------------------------------------------------------------------------
def measure_server(server: Running, opts: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"label": server.label}
    out["lookup"] = p50(server.url, LOOKUP, opts.reps, opts.warmup)
    out["ask"] = p50(server.url, ASK, opts.reps, opts.warmup)
    out["listing"] = p50(server.url, LISTING, max(5, opts.reps // 10), opts.warmup)
    out["aggregations"] = {
        name: p50(server.url, q, max(5, opts.reps // 20), opts.warmup)
        for name, q in AGGREGATIONS.items()
    }
    out["throughput"] = throughput(server, LOOKUP, opts.clients, opts.seconds)
    return out


def run(opts: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="ckg-sbs-"))
    try:
        nt = work / "all.nt"
        triples = write_ntriples(opts.data, nt)
        results: dict[str, Any] = {
            "triples": triples,
            "data": str(opts.data) if opts.data else "bundled graphs",
            "cores": os.cpu_count(),
            "clients": opts.clients,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "loadavg": os.getloadavg(),
            "runaway_limit": opts.runaway_limit,
            "servers": [],
        }
        results["in_process"] = {
            name: in_process_p50(nt, q, max(5, opts.reps // 20), opts.warmup)
            for name, q in AGGREGATIONS.items()
        }
        ref = start_oxigraph(nt)
        try:
            results["oxigraph"] = measure_server(ref, opts)
            results["oxigraph"]["runaway"] = runaway(ref, opts.leave_after, opts.watch)
        finally:
            ref.close()
        limited = start_oxigraph(nt, timeout_s=opts.runaway_limit)
        try:
            results["oxigraph_timeout"] = {
                "label": limited.label,
                "runaway": runaway(limited, opts.runaway_limit + opts.leave_after, opts.watch),
                "stream": truncated_stream(limited),
            }
        finally:
            limited.close()
        variants: list[tuple[int, Path | None, str | None]] = []
        if opts.before_src:
            label = f"before ({opts.before_label}), 1 process x {opts.workers} workers"
            variants.append((1, opts.before_src, label))
        variants += [(n, None, None) for n in opts.processes]
        for n, src, label in variants:
            server = start_clusterkg(
                nt, n, opts.workers, opts.threads, opts.runaway_limit, src, label
            )
            try:
                m = measure_server(server, opts)
                m["processes"] = n
                m["before"] = src is not None
                m["runaway"] = runaway(server, opts.runaway_limit + opts.leave_after, opts.watch)
                m["stream"] = truncated_stream(server)
                results["servers"].append(m)
            finally:
                server.close()
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- the report -------------------------------------------------------------------------------
def _ms(v: float | None) -> str:
    return "-" if v is None else (f"{v:.2f}" if v < 10 else f"{v:,.1f}")


def _ratio(ours: float | None, ref: float | None) -> float | None:
    return ours / ref if ours is not None and ref else None


def _short(server: dict[str, Any]) -> str:
    return ("before " if server.get("before") else "") + f"{server['processes']}p"


def _verdict(name: str, ratio: float | None) -> str:
    op, bound = TARGETS[name]
    if ratio is None:
        return "undetermined"
    ok = ratio <= bound if op == "<=" else ratio >= bound
    return f"{op} {bound:g}x: {'met' if ok else '**missed**'}"


def rows(results: dict[str, Any]) -> list[list[str]]:
    """The table's rows: measure, each clusterkg variant, oxigraph serve, ratio and target."""
    ref = results["oxigraph"]
    table = []

    def row(name: str, target: str | None, get, ref_value, unit: str = "ms") -> None:
        cells = [name]
        verdicts = []
        for s in results["servers"]:
            v = get(s)
            r = _ratio(v, ref_value)
            cells.append(f"{_ms(v)} {unit} ({'-' if r is None else f'{r:.2f}x'})")
            if target:
                verdicts.append(f"{_short(s)}: {_verdict(target, r)}")
        cells.append(f"{_ms(ref_value)} {unit}")
        cells.append("; ".join(verdicts) if verdicts else "-")
        table.append(cells)

    row(
        "lookup p50", "lookup p50", lambda s: s["lookup"].get("p50_ms"), ref["lookup"].get("p50_ms")
    )
    row("`ASK {}` p50", "ASK {} p50", lambda s: s["ask"].get("p50_ms"), ref["ask"].get("p50_ms"))
    row(
        f"{results['clients']}-client lookup throughput",
        "8-client lookup throughput",
        lambda s: s["throughput"]["requests_per_s"],
        ref["throughput"]["requests_per_s"],
        "req/s",
    )
    row(
        "CPU per lookup request (server and its workers, under the clients)",
        None,
        lambda s: s["throughput"]["cpu_per_request_ms"],
        ref["throughput"]["cpu_per_request_ms"],
    )
    row(
        "4,000-row listing p50 (SPARQL JSON)",
        "4,000-row listing p50",
        lambda s: s["listing"].get("p50_ms"),
        ref["listing"].get("p50_ms"),
    )
    for name in AGGREGATIONS:
        inproc = results["in_process"][name]["p50_ms"]
        cells = [f"aggregation p50: {name} (ratio to Oxigraph in-process, {_ms(inproc)} ms)"]
        verdicts = []
        for s in results["servers"]:
            v = s["aggregations"][name].get("p50_ms")
            r = _ratio(v, inproc)
            cells.append(f"{_ms(v)} ms ({'-' if r is None else f'{r:.2f}x'})")
            verdicts.append(f"{_short(s)}: {_verdict('aggregation p50', r)}")
        refv = ref["aggregations"][name].get("p50_ms")
        rr = _ratio(refv, inproc)
        cells.append(f"{_ms(refv)} ms ({'-' if rr is None else f'{rr:.2f}x'})")
        cells.append("; ".join(verdicts))
        table.append(cells)
    return table


def _runaway_text(r: dict[str, Any], limit: float | None) -> str:
    seen = (
        "no answer before the client left"
        if r["status"] is None
        else (f"HTTP {r['status']} after {r['answered_s']:.1f} s")
    )
    return f"{seen}; {r['cpu_after_leaving_s']:.1f} CPU s in the {r['watched_s']:g} s after"


def _stream_text(s: dict[str, Any]) -> str:
    what = "whole JSON" if s["valid_json"] else "**truncated, invalid JSON**"
    rows_text = "" if s["rows"] is None else f", {s['rows']:,} rows"
    said = ", says it is truncated (X-Clusterkg-Truncated)" if s["says_truncated"] else ""
    return f"HTTP {s['status']}, {s['bytes']:,} bytes, {what}{rows_text}{said}"


def markdown(results: dict[str, Any], limit: float) -> str:
    head = [
        "measure",
        *(s["label"] for s in results["servers"]),
        results["oxigraph"]["label"],
        "target (issue 14)",
    ]
    load = results.get("loadavg")
    lines = [
        f"### {results['triples']:,} triples ({Path(results['data']).name})",
        "",
        f"Run {results['started']}; {results['cores']} cores, the {results['clients']} clients "
        "on the same machine"
        + (f"; load average {load[0]:.1f} before the run (a shared machine)" if load else "")
        + ".",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for r in rows(results):
        lines.append("| " + " | ".join(r) + " |")
    lines += [
        "",
        f"Runaway query (`{RUNAWAY}`; the client leaves; clusterkg's limit and "
        f"`--timeout-s` both {limit:g} s):",
        "",
        "| server | runaway query | streaming `SELECT *` over a cross join |",
        "|---|---|---|",
        f"| {results['oxigraph']['label']} (no timeout by default) | "
        f"{_runaway_text(results['oxigraph']['runaway'], None)} | - |",
        f"| {results['oxigraph_timeout']['label']} | "
        f"{_runaway_text(results['oxigraph_timeout']['runaway'], limit)} | "
        f"{_stream_text(results['oxigraph_timeout']['stream'])} |",
    ]
    for s in results["servers"]:
        lines.append(
            f"| {s['label']} (`--query-timeout {limit:g}`) | {_runaway_text(s['runaway'], limit)} | "
            f"{_stream_text(s['stream'])} |"
        )
    return "\n".join(lines) + "\n"


INTRO = (
    "Generated by `python -m benchmarks.side_by_side` (see its docstring): clusterkg serve and "
    "`oxigraph serve` on the same N-Triples file, both in memory, the same queries in the same "
    "run, one server at a time. Ratios are clusterkg / reference: below 1 is faster; for "
    "throughput, above 1 is more. The targets are issue 14's."
)


def section(runs: list[tuple[dict[str, Any], float]]) -> str:
    """The whole side-by-side section: the introduction and one table set per run."""
    return "\n".join([SECTION, "", INTRO, "", *(markdown(r, limit) for r, limit in runs)])


def write_section(path: Path, section: str) -> None:
    """Replace the side-by-side section of ``path`` (up to the next ``## ``), or append it."""
    text = path.read_text() if path.exists() else ""
    start = text.find(SECTION)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    path.write_text(text)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.side_by_side", description=__doc__)
    ap.add_argument("--data", type=Path, help="a data file besides the bundled graphs")
    ap.add_argument("--processes", default="1,2", help="clusterkg variants: server processes")
    ap.add_argument("--workers", type=int, default=2, help="query workers per process")
    ap.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=5.0, help="of the throughput run")
    ap.add_argument("--runaway-limit", type=int, default=2, help="whole s: both servers' limit")
    ap.add_argument("--leave-after", type=float, default=1.0, help="s the runaway client waits")
    ap.add_argument("--watch", type=float, default=3.0, help="s the CPU is watched after")
    ap.add_argument(
        "--before-src",
        type=Path,
        help="the src/ folder of an earlier version, measured first in the same run",
    )
    ap.add_argument("--before-label", default="base commit", help="what --before-src is")
    ap.add_argument(
        "--also",
        type=Path,
        action="append",
        help="the JSON of an earlier run (another data file) to report after this one",
    )
    ap.add_argument(
        "--from-json", type=Path, help="report this run's JSON again instead of measuring"
    )
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", type=Path)
    return ap


def main(argv: list[str] | None = None) -> dict[str, Any]:
    opts = parser().parse_args(argv)
    opts.processes = [int(x) for x in str(opts.processes).split(",") if x.strip()]
    results = json.loads(opts.from_json.read_text()) if opts.from_json else run(opts)
    if opts.json and not opts.from_json:
        opts.json.write_text(json.dumps(results, indent=1))
    runs = [(results, float(opts.runaway_limit))]
    for earlier in opts.also or []:
        other = json.loads(earlier.read_text())
        runs.append((other, float(other.get("runaway_limit", opts.runaway_limit))))
    text = section(runs)
    if opts.markdown:
        write_section(opts.markdown, text)
    print(text)
    return results


if __name__ == "__main__":
    main()
