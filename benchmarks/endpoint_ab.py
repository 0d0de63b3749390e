"""Endpoint latency and concurrency, repeated, for before/after comparisons of the web layer.

Runs the benchmark's HTTP measurement (:mod:`benchmarks.endpoint`: a real ``clusterkg serve``
on an ephemeral port, the benchmark and named queries as JSON) ``--repeat`` times on each data
point and reports medians over the repeats, with the load average before each repeat, since the
machine is shared. Usage::

    python -m benchmarks.endpoint_ab --label after --out /tmp/ab-after.json \\
        [--data curated] [--data /tmp/gen1m.trig]

``curated`` stands for the project's own graphs (no extra file).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

from benchmarks import endpoint
from benchmarks.data import CURATED_CUSTOMER
from benchmarks.tasks import bench_queries
from clusterkg.config import Settings
from clusterkg.vocab import ID

#: Queries reported one by one (the ones the benchmark found over target at 1M triples).
WATCH = ("cluster-members", "enterprises-in-region", "supply-links", "bench/cluster-members")


def _customer(path: Path | None) -> str:
    if path is None:
        return CURATED_CUSTOMER
    # `clusterkg generate --seed S --scale X` names firms synthetic/sS-xX/firm-NNNNN.
    return str(ID["synthetic/s1-x3/firm-00001"])


def run(data: Path | None, repeat: int, warmup: int, reps: int, rounds: int) -> dict[str, Any]:
    """``repeat`` full measurements of one data point, and the medians over them."""
    settings = Settings.from_env()
    queries = bench_queries(
        {
            "bench_queries_dir": str(Path(__file__).parent / "queries"),
            "named_queries_dir": str(settings.queries_dir),
            "customer": _customer(data),
        }
    )
    runs = []
    for i in range(repeat):
        load = os.getloadavg()
        out = endpoint.measure(data, queries, warmup=warmup, reps=reps, clients=8, rounds=rounds)
        out["loadavg_before"] = load
        runs.append(out)
        print(
            f"  run {i + 1}/{repeat}: load {load[0]:.2f}; single p95 "
            f"{out['single_client_p95_ms']:.1f} ms; 8-client p95 "
            f"{out['concurrent']['p95_ms']:.1f} ms (ratio {out['concurrency_p95_ratio']:.2f}); "
            f"{out['concurrent']['requests_per_s']:.0f} req/s",
            file=sys.stderr,
        )

    def med(values: list[float]) -> float:
        return statistics.median(values)

    per_query = {}
    for name in runs[0]["queries"]:
        if "p50_ms" not in runs[0]["queries"][name]:
            continue
        per_query[name] = {
            "p50_ms": med([r["queries"][name]["p50_ms"] for r in runs]),
            "p95_ms": med([r["queries"][name]["p95_ms"] for r in runs]),
            "rows": runs[0]["queries"][name]["rows"],
        }
    return {
        "data": str(data) if data else "curated",
        "repeat": repeat,
        "loadavg_1min": [r["loadavg_before"][0] for r in runs],
        "single_client_p95_ms": med([r["single_client_p95_ms"] for r in runs]),
        "concurrent_p95_ms": med([r["concurrent"]["p95_ms"] for r in runs]),
        "concurrent_p50_ms": med([r["concurrent"]["p50_ms"] for r in runs]),
        "requests_per_s": med([r["concurrent"]["requests_per_s"] for r in runs]),
        "ratio": med([r["concurrency_p95_ratio"] for r in runs]),
        "ratios": [r["concurrency_p95_ratio"] for r in runs],
        "errors": sum(r["concurrent"]["errors"] for r in runs),
        "queries": per_query,
    }


def main(argv: list[str] | None = None) -> None:
    """Measure each ``--data`` point and write the medians as JSON (and a summary to stderr)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", action="append", help="'curated' or a data file (repeatable)")
    p.add_argument("--label", default="run")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--rounds", type=int, default=5)
    opts = p.parse_args(argv)
    results = {"label": opts.label, "cpus": os.cpu_count(), "points": []}
    for spec in opts.data or ["curated"]:
        data = None if spec == "curated" else Path(spec)
        print(f"{opts.label}: {spec}", file=sys.stderr)
        point = run(data, opts.repeat, opts.warmup, opts.reps, opts.rounds)
        results["points"].append(point)
        print(
            f"  median: single p95 {point['single_client_p95_ms']:.1f} ms, 8-client p95 "
            f"{point['concurrent_p95_ms']:.1f} ms, ratio {point['ratio']:.2f}, "
            f"{point['requests_per_s']:.0f} req/s",
            file=sys.stderr,
        )
        for name in WATCH:
            if name in point["queries"]:
                q = point["queries"][name]
                print(
                    f"  {name}: p50 {q['p50_ms']:.1f} ms p95 {q['p95_ms']:.1f} ms "
                    f"({q['rows']} rows)",
                    file=sys.stderr,
                )
    opts.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
