"""The benchmark driver: scale points, one child process per measurement, JSON and Markdown out.

``python -m benchmarks --help`` lists the options. Every figure of clusterkg is measured beside
the naive stack in the same run (rdflib's in-memory ``Dataset`` and SPARQL evaluator, pySHACL
with its defaults, plain networkx calls) and reported as a ratio, so the comparison holds on a
noisy machine even where the absolute times drift.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks import data as data_mod
from benchmarks import endpoint
from benchmarks.machine import machine
from benchmarks.report import evaluate_targets, render_markdown

ROOT = Path(__file__).resolve().parents[1]
BENCH_QUERIES = Path(__file__).resolve().parent / "queries"


def child(task: str, args: dict, cap: float) -> dict[str, Any]:
    """Run one task of :mod:`benchmarks.tasks` in a fresh interpreter, killed after ``cap`` s."""
    cmd = [sys.executable, "-m", "benchmarks.tasks", task, json.dumps(args)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=cap, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "cap_s": cap, "seconds": cap}
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-5:]
        return {"status": "error", "error": "\n".join(tail), "seconds": time.perf_counter() - start}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.setdefault("status", "ok")
    return out


def _ratio(naive: float | None, ours: float | None) -> float | None:
    if not naive or not ours:
        return None
    return naive / ours


def _done(section: dict | None) -> dict:
    """The section if it finished; an empty one if it timed out or failed (no ratio then)."""
    return section if section and section.get("status", "ok") == "ok" else {}


def run_point(point: data_mod.DataPoint, opts: argparse.Namespace, log) -> dict[str, Any]:
    """Every measurement of one scale point."""
    from benchmarks.tasks import bench_queries

    named_dir = ROOT / "queries" if opts.named_queries else None
    args = {
        "path": str(point.path) if point.path else None,
        "customer": point.customer,
        "bench_queries_dir": str(BENCH_QUERIES),
        "named_queries_dir": str(named_dir) if named_dir else None,
        "naive_reps": opts.naive_reps,
        "naive_cap": opts.naive_cap,
        "analytics_cap": opts.analytics_cap,
        "trials": opts.trials,
        "points": opts.curve_points,
        "k": opts.k,
        "engine_reps": opts.engine_reps,
    }
    args["naive_skip"] = sorted(opts.naive_timed_out)
    res: dict[str, Any] = {"name": point.name, "data": point.to_dict()}
    sections = opts.only.get(point.name, opts.sections)

    def step(name: str, fn) -> None:
        if name not in sections:
            return
        log(f"[{point.name}] {name} ...")
        start = time.perf_counter()
        res[name] = fn()
        status = res[name].get("status", "ok") if isinstance(res[name], dict) else "ok"
        log(f"[{point.name}] {name} done in {time.perf_counter() - start:.1f} s ({status})")

    step("load", lambda: child("load", args, opts.task_cap))
    step("naive", lambda: child("naive", args, opts.task_cap))
    for name, v in (res.get("naive") or {}).get("queries", {}).items():
        if v.get("status") == "timeout":
            opts.naive_timed_out.add(name)
    step("shacl", lambda: child("shacl", args, opts.shacl_cap))
    step("shacl_naive", lambda: child("shacl_naive", args, opts.shacl_cap))

    def http() -> dict:
        queries = bench_queries(args)
        try:
            out = endpoint.measure(
                point.path,
                queries,
                warmup=opts.warmup,
                reps=opts.reps,
                clients=opts.clients,
                rounds=opts.rounds,
            )
        except Exception as exc:  # reported in the output instead of ending the whole run
            return {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        out["aggregations"] = [q["name"] for q in queries if q["aggregation"]]
        return out

    step("http", http)
    step("analytics", lambda: child("analytics", args, opts.task_cap))
    res["ratios"] = ratios(res)
    return res


def ratios(res: dict[str, Any]) -> dict[str, Any]:
    """naive / clusterkg for every figure measured on both sides (> 1: clusterkg is faster)."""
    out: dict[str, Any] = {}
    load, naive = _done(res.get("load")), _done(res.get("naive"))
    out["load_time"] = _ratio(naive.get("seconds"), load.get("seconds"))
    out["load_memory"] = _ratio(naive.get("peak_rss_mb"), load.get("peak_rss_mb"))
    sh, shn = _done(res.get("shacl")), _done(res.get("shacl_naive"))
    out["shacl"] = _ratio(shn.get("seconds"), sh.get("seconds"))
    http_q = res.get("http", {}).get("queries", {})
    out["queries"] = {
        name: _ratio(naive.get("queries", {}).get(name, {}).get("p50_ms"), v.get("p50_ms"))
        for name, v in http_q.items()
    }
    an = res.get("analytics", {})
    out["analytics"] = {
        name: _ratio(v.get("seconds"), an.get("steps", {}).get(name, {}).get("seconds"))
        for name, v in an.get("naive", {}).items()
    }
    return out


SECTIONS = ("load", "naive", "shacl", "shacl_naive", "http", "analytics")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument(
        "--points",
        default=",".join(data_mod.DEFAULT_POINTS),
        help="comma-separated scale points: "
        + ", ".join(data_mod.POINTS)
        + " (default: %(default)s)",
    )
    p.add_argument(
        "--sections", default=",".join(SECTIONS), help="what to measure (default: all: %(default)s)"
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="POINT=SECTIONS",
        help="sections for one point, e.g. firms100k=analytics or "
        "curated=load,naive,http (repeatable)",
    )
    p.add_argument("--reps", type=int, default=15, help="measured runs per query (HTTP)")
    p.add_argument("--warmup", type=int, default=2, help="unmeasured runs per query first")
    p.add_argument(
        "--engine-reps",
        type=int,
        default=5,
        help="runs per query of Oxigraph alone, in the load child (0: none)",
    )
    p.add_argument("--clients", type=int, default=8, help="concurrent clients")
    p.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="times each concurrent client runs the whole query mix",
    )
    p.add_argument("--naive-reps", type=int, default=3, help="measured runs per naive query")
    p.add_argument("--naive-cap", type=float, default=30, help="seconds per naive query run")
    p.add_argument("--shacl-cap", type=float, default=900, help="seconds per SHACL run")
    p.add_argument("--analytics-cap", type=float, default=900, help="seconds per analytics step")
    p.add_argument("--task-cap", type=float, default=3600, help="seconds per child process")
    p.add_argument("--k", type=int, default=256, help="sample sources for betweenness")
    p.add_argument("--trials", type=int, default=10, help="random-removal trials")
    p.add_argument("--curve-points", type=int, default=50, help="points per robustness curve")
    p.add_argument("--seed", type=int, default=0, help="generator seed")
    p.add_argument(
        "--no-named-queries",
        dest="named_queries",
        action="store_false",
        help="only the benchmark queries, not queries/*.rq",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=data_mod.DATA_DIR,
        help="where generated networks are cached",
    )
    p.add_argument(
        "--json",
        type=Path,
        default=data_mod.RESULTS_DIR / "latest.json",
        help="JSON output (default: %(default)s)",
    )
    p.add_argument(
        "--markdown",
        type=Path,
        default=ROOT / "BENCHMARKS.md",
        help="Markdown output (default: %(default)s); '-' for none",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument(
        "--append",
        type=Path,
        metavar="JSON",
        help="add to an earlier run's results: new points are appended, the sections measured "
        "now replace those of a point of the same name",
    )
    p.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="measure nothing: write the Markdown report of an earlier run's JSON",
    )
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; write the JSON and Markdown reports; return the results."""
    opts = parser().parse_args(argv)
    if opts.render:
        results = json.loads(opts.render.read_text())
        for point in results["points"]:
            point["ratios"] = ratios(point)
        results["targets"] = evaluate_targets(results)
        opts.markdown.write_text(render_markdown(results))
        return results
    names = [n.strip() for n in opts.points.split(",") if n.strip()]
    unknown = [n for n in names if n not in data_mod.POINTS]
    if unknown:
        parser().error(
            f"unknown scale point {', '.join(unknown)}; known: " + ", ".join(data_mod.POINTS)
        )
    opts.sections = _sections(opts.sections)
    only = {}
    for item in opts.only:
        name, _, secs = item.partition("=")
        only[name.strip()] = _sections(secs)
    opts.only = only
    opts.naive_timed_out = set()

    def log(msg: str) -> None:
        if not opts.quiet:
            print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    log(f"preparing data for {', '.join(names)}")
    points = data_mod.prepare(names, seed=opts.seed, data_dir=opts.data_dir)
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    earlier = json.loads(opts.append.read_text()) if opts.append else None
    if earlier:
        for p in earlier["points"]:
            for name, v in (p.get("naive") or {}).get("queries", {}).items():
                if v.get("status") == "timeout":
                    opts.naive_timed_out.add(name)
    results: dict[str, Any] = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": command,
        "options": {
            k: (sorted(v) if isinstance(v, set) else str(v) if isinstance(v, Path) else v)
            for k, v in vars(opts).items()
        },
        "points": [],
    }
    if earlier:
        results["points"] = earlier["points"]
        results["started"] = earlier["started"]
        results["command"] = f"{earlier['command']}; then {command}"
        results["notes"] = earlier.get("notes", [])
    for point in points:
        measured = run_point(point, opts, log)
        same = next((p for p in results["points"] if p["name"] == point.name), None)
        if same is None:
            results["points"].append(measured)
        else:
            same.update(measured)
            same["ratios"] = ratios(same)
        results["targets"] = evaluate_targets(results)
        _write(results, opts)  # after each point, so a long run leaves its figures behind
    results["duration_s"] = time.perf_counter() - started + (earlier or {}).get("duration_s", 0)
    results["targets"] = evaluate_targets(results)
    _write(results, opts)
    log(
        f"done in {results['duration_s']:.0f} s: {opts.json}"
        + (f", {opts.markdown}" if str(opts.markdown) != "-" else "")
    )
    return results


def _sections(text: str) -> set[str]:
    chosen = {s.strip() for s in text.split(",") if s.strip()}
    bad = chosen - set(SECTIONS)
    if bad:
        parser().error(f"unknown section {', '.join(sorted(bad))}; known: {', '.join(SECTIONS)}")
    return chosen


def _write(results: dict[str, Any], opts: argparse.Namespace) -> None:
    opts.json.parent.mkdir(parents=True, exist_ok=True)
    opts.json.write_text(json.dumps(results, indent=2, default=str))
    if str(opts.markdown) != "-":
        opts.markdown.write_text(render_markdown(results))
