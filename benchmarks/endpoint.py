"""Latency and throughput of a real ``clusterkg serve`` (waitress) on an ephemeral loopback port.

Benchmark queries go to ``POST /sparql`` (SPARQL 1.1 Protocol, form-encoded); the project's
named queries to ``GET /queries/<name>`` with their default parameters. Each query runs
``warmup`` times unmeasured, then ``reps`` times one after another (p50/p95). Throughput: 8
clients (processes, one HTTP session each) run the whole query mix ``rounds`` times at once;
their p95 is compared with the single-client p95 of the same mix.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ACCEPT = "application/sparql-results+json"


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between order statistics."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def clusterkg_command() -> list[str]:
    """The ``clusterkg`` executable beside this interpreter, or the package's entry point."""
    exe = Path(sys.executable).with_name("clusterkg")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from clusterkg.cli import main; main()"]


class Server:
    """``clusterkg serve --port 0 [DATA]`` as a child process; knows its URL and start time."""

    def __init__(self, data: Path | None, start_timeout: float = 900) -> None:
        cmd = [*clusterkg_command(), "serve", "--host", "127.0.0.1", "--port", "0"]
        if data:
            cmd.append(str(data))
        start = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        self.url = None
        deadline = start + start_timeout
        while time.perf_counter() < deadline:
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            m = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", line)
            if m:
                self.url = m.group(1)
                break
        self.start_s = time.perf_counter() - start
        if self.url is None:
            self.close()
            raise RuntimeError(f"clusterkg serve did not start: {' '.join(cmd)}")

    def peak_rss_mb(self) -> float | None:
        """The server process's peak RSS (VmHWM) in MiB, read from /proc."""
        try:
            text = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        m = re.search(r"VmHWM:\s+(\d+) kB", text)
        return int(m.group(1)) / 1024 if m else None

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _request(session: requests.Session, base: str, q: dict) -> tuple[float, int, int]:
    start = time.perf_counter()
    if q["source"] == "named":
        r = session.get(f"{base}/queries/{q['name']}", headers={"Accept": ACCEPT})
    else:
        r = session.post(f"{base}/sparql", data={"query": q["text"]}, headers={"Accept": ACCEPT})
    body = r.content
    elapsed = time.perf_counter() - start
    rows = -1
    if r.status_code == 200:
        try:
            rows = len(r.json()["results"]["bindings"])
        except (ValueError, KeyError):
            rows = -1
    del body
    return elapsed, r.status_code, rows


def latency(base: str, queries: list[dict], *, warmup: int, reps: int) -> dict[str, Any]:
    """Per query: p50/p95 (ms) of ``reps`` sequential requests after ``warmup``."""
    out: dict[str, Any] = {}
    with requests.Session() as s:
        for q in queries:
            if q["required"]:
                out[q["name"]] = {"skipped": "needs parameters without defaults"}
                continue
            for _ in range(warmup):
                _request(s, base, q)
            times, statuses, rows = [], set(), None
            for _ in range(reps):
                t, status, n = _request(s, base, q)
                times.append(t * 1000)
                statuses.add(status)
                rows = n
            out[q["name"]] = {
                "p50_ms": percentile(times, 50),
                "p95_ms": percentile(times, 95),
                "rows": rows,
                "statuses": sorted(statuses),
                "times_ms": times,
            }
    return out


def _client(base: str, mix: list[dict], rounds: int, barrier: Any, out: Any) -> None:
    """One client process: wait for the others, then run the mix ``rounds`` times.

    Always puts its times on ``out``, a failed request as status 0, so the parent never
    waits for a client that died."""
    times: list[tuple[float, int]] = []
    try:
        with requests.Session() as s:
            barrier.wait()
            for _ in range(rounds):
                for q in mix:
                    start = time.perf_counter()
                    try:
                        t, status, _ = _request(s, base, q)
                    except requests.RequestException:  # counted as an error, timed to failure
                        t, status = time.perf_counter() - start, 0
                    times.append((t * 1000, status))
    finally:
        out.put(times)


def cpu_busy_s() -> float | None:
    """Seconds of CPU the whole machine has spent busy since boot (``/proc/stat``), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields[:8]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def throughput(base: str, queries: list[dict], *, clients: int, rounds: int) -> dict[str, Any]:
    """``clients`` concurrent sessions each run the query mix ``rounds`` times.

    Each client is its own process, as independent clients are: client threads of one Python
    process would share one GIL, and their own JSON decoding would queue behind it and count
    as server latency.
    """
    runnable = [q for q in queries if not q["required"]]
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(clients + 1)
    out = ctx.Queue()
    procs = []
    for i in range(clients):
        mix = runnable[i % len(runnable) :] + runnable[: i % len(runnable)]
        procs.append(ctx.Process(target=_client, args=(base, mix, rounds, barrier, out)))
    for p in procs:
        p.start()
    barrier.wait()
    start, busy0 = time.perf_counter(), cpu_busy_s()
    results = [out.get() for _ in procs]  # read before join: a full pipe would block the child
    wall, busy1 = time.perf_counter() - start, cpu_busy_s()
    for p in procs:
        p.join()
    times = [t for per in results for t, _ in per]
    errors = sum(1 for per in results for _, st in per if st != 200)
    cores = os.cpu_count() or 1
    busy = (busy1 - busy0) if busy0 is not None and busy1 is not None else None
    per_request = busy / len(times) * 1000 if busy is not None and times else None
    return {
        "clients": clients,
        "client_kind": "process",
        "cores": cores,
        # Machine-wide CPU (server, its query workers and the clients) per request; with
        # clients that never pause, mean latency cannot go below clients x this / cores.
        "cpu_per_request_ms": per_request,
        "cpu_utilisation": busy / (cores * wall) if busy is not None and wall else None,
        "cpu_floor_mean_ms": clients * per_request / cores if per_request else None,
        "requests": len(times),
        "errors": errors,
        "wall_s": wall,
        "requests_per_s": len(times) / wall if wall else None,
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "mean_ms": statistics.fmean(times),
    }


def measure(
    data: Path | None, queries: list[dict], *, warmup: int, reps: int, clients: int, rounds: int
) -> dict[str, Any]:
    """Start a server on ``data``, measure latency then throughput, stop it."""
    server = Server(data)
    try:
        lat = latency(server.url, queries, warmup=warmup, reps=reps)
        single = [t for v in lat.values() for t in v.get("times_ms", [])]
        conc = throughput(server.url, queries, clients=clients, rounds=rounds)
        single_mean = statistics.fmean(single) if single else None
        if single_mean and conc.get("cpu_floor_mean_ms"):
            conc["single_client_mean_ms"] = single_mean
            conc["mean_ratio"] = conc["mean_ms"] / single_mean
            conc["cpu_floor_ratio"] = conc["cpu_floor_mean_ms"] / single_mean
        for v in lat.values():
            v.pop("times_ms", None)
        return {
            "start_s": server.start_s,
            "server_peak_rss_mb": server.peak_rss_mb(),
            "queries": lat,
            "single_client_p95_ms": percentile(single, 95) if single else None,
            "concurrent": conc,
            "concurrency_p95_ratio": (conc["p95_ms"] / percentile(single, 95)) if single else None,
        }
    finally:
        server.close()
