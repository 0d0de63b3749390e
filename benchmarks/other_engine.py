"""The benchmark's queries against another SPARQL engine, beside clusterkg's numbers of a run.

Two steps, so that any SPARQL 1.1 server can be compared on the same data and query texts::

    # 1. the point's data as one N-Triples file: the bundled graphs and the synthetic file,
    #    as clusterkg's merged default graph sees them
    python -m benchmarks.other_engine dump --point 1m /tmp/engine/all.nt
    #    ... load it into the other server (one graph), e.g. Virtuoso: see benchmarks/README.md
    # 2. every benchmark and named query with the run's parameters, p50 over --reps runs
    python -m benchmarks.other_engine measure http://127.0.0.1:8890/sparql --point 1m \\
        --form default-graph-uri=urn:clusterkg:all

``measure`` prints a Markdown table: the other engine's p50 and rows next to clusterkg's p50
and rows from the run's JSON (``benchmarks/results/latest.json`` by default). Rows that differ
are marked, since a faster answer that is not the same answer is no answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

from benchmarks.data import RESULTS_DIR
from benchmarks.tasks import bound_queries, data_files

ROOT = Path(__file__).resolve().parents[1]


def _point(results: dict, name: str) -> dict:
    for p in results.get("points", []):
        if p["name"] == name:
            return p
    raise SystemExit(
        f"no point {name!r} in the run (points: "
        f"{', '.join(p['name'] for p in results.get('points', []))})"
    )


def dump(point: dict, out: Path) -> int:
    """Write the point's triples (bundled graphs + its synthetic file) as N-Triples; count."""
    from clusterkg.config import Settings

    files = data_files(Settings.from_env(), point["data"].get("path"))
    n = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        for f in files:
            fmt = ox.RdfFormat.TRIG if f.suffix == ".trig" else ox.RdfFormat.TURTLE
            for q in ox.parse(path=str(f), format=fmt, base_iri=f.absolute().as_uri()):
                fh.write(f"{q.subject} {q.predicate} {q.object} .\n".encode())
                n += 1
    return n


def measure(url: str, point: dict, form: dict[str, str], reps: int, warmup: int) -> list[dict]:
    """Every benchmark and named query of the point against ``url``: p50 ms and rows."""
    args = {
        "bench_queries_dir": str(ROOT / "benchmarks" / "queries"),
        "named_queries_dir": str(ROOT / "queries"),
        "customer": point["data"]["customer"],
    }
    ours = (point.get("http") or {}).get("queries", {})
    out = []
    with requests.Session() as s:
        for q, text in bound_queries(args):
            times: list[float] = []
            rows: int | None = None
            error = None
            for i in range(warmup + reps):
                start = time.perf_counter()
                r = s.post(
                    url,
                    data={"query": text, **form},
                    headers={"Accept": "application/sparql-results+json"},
                )
                elapsed = time.perf_counter() - start
                if r.status_code != 200:
                    error = f"HTTP {r.status_code}: {r.text[:120]}"
                    break
                if r.headers.get("X-SQL-State"):  # Virtuoso's "anytime" answer: partial rows
                    error = f"partial result ({r.headers.get('X-SQL-Message', '')[:100]})"
                    break
                rows = len(r.json()["results"]["bindings"])
                if i >= warmup:
                    times.append(elapsed * 1000)
            mine = ours.get(q["name"], {})
            out.append(
                {
                    "query": q["name"],
                    "p50_ms": statistics.median(times) if times else None,
                    "rows": rows,
                    "error": error,
                    "clusterkg_p50_ms": mine.get("p50_ms"),
                    "clusterkg_rows": mine.get("rows"),
                }
            )
    return out


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| query | other p50 ms | clusterkg p50 ms | rows other / clusterkg |",
        "|---|---|---|---|",
    ]
    for r in rows:
        same = r["clusterkg_rows"] is None or r["rows"] == r["clusterkg_rows"]
        counts = f"{r['rows']} / {r['clusterkg_rows']}"
        lines.append(
            f"| {r['query']} | {r['error'] or _ms(r['p50_ms'])} | {_ms(r['clusterkg_p50_ms'])} | "
            f"{counts if same else f'**{counts}**'} |"
        )
    return "\n".join(lines)


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:,.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.other_engine", description=__doc__)
    ap.add_argument("--run", type=Path, default=RESULTS_DIR / "latest.json", help="run JSON")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="the point's triples as one N-Triples file")
    d.add_argument("--point", default="1m")
    d.add_argument("out", type=Path)
    m = sub.add_parser("measure", help="time the queries against a SPARQL endpoint")
    m.add_argument("url")
    m.add_argument("--point", default="1m")
    m.add_argument(
        "--form",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra protocol parameter, e.g. default-graph-uri=urn:x (repeatable)",
    )
    m.add_argument("--reps", type=int, default=6)
    m.add_argument("--warmup", type=int, default=2)
    m.add_argument("--json", type=Path, help="also write the rows as JSON here")
    opts = ap.parse_args(argv)
    point = _point(json.loads(opts.run.read_text()), opts.point)
    if opts.cmd == "dump":
        print(f"{dump(point, opts.out)} triples written to {opts.out}")
        return 0
    bad = [f for f in opts.form if "=" not in f]
    if bad:
        ap.error(f"--form takes KEY=VALUE, not {bad[0]!r}")
    rows = measure(
        opts.url, point, dict(f.split("=", 1) for f in opts.form), opts.reps, opts.warmup
    )
    if opts.json:
        opts.json.write_text(json.dumps(rows, indent=1))
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
