"""Measurements that run in a child process each, so one scale point cannot inflate another.

Run as ``python -m benchmarks.tasks TASK ARGS_JSON``; the child prints one JSON object on its
last stdout line. Peak memory is the child's own high-water mark (:func:`peak_rss_mb`) read
right after the load, before anything else allocates.

Tasks: ``load`` (clusterkg: Oxigraph via ``open_kg``), ``naive`` (rdflib ``Dataset`` load,
then the same queries through rdflib's SPARQL evaluator), ``shacl`` (clusterkg's default
validation engine, shapes compiled to SPARQL on Oxigraph), ``shacl_naive`` (pySHACL with its defaults), ``analytics`` (clusterkg's
analytics, then the plain networkx calls on the same graph).
"""

from __future__ import annotations

import json
import random
import resource
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class StepTimeout(Exception):
    """A step ran past its cap (raised by SIGALRM inside pure-Python code)."""


def peak_rss_mb() -> float:
    """The peak resident set size of this process so far, in MiB.

    Linux's ``VmHWM`` first: ``ru_maxrss`` survives ``exec``, so a child started by a larger
    parent would report the parent's peak. ``ru_maxrss`` (KiB on Linux) elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def capped(fn: Callable[[], Any], cap: float) -> tuple[float, Any, str | None]:
    """Run ``fn`` with a wall-clock cap; (seconds, value, None) or (cap, None, "timeout")."""

    def alarm(_sig, _frame):
        raise StepTimeout

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, cap)
    start = time.perf_counter()
    try:
        value = fn()
        return time.perf_counter() - start, value, None
    except StepTimeout:
        return cap, None, "timeout"
    except Exception as exc:  # the naive evaluator fails on some queries: report, go on
        return time.perf_counter() - start, None, f"error: {type(exc).__name__}: {exc}"[:300]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def data_files(settings, path: str | None, *, shapes: bool = True) -> list[Path]:
    """The files of a scale point as ``open_kg`` loads them: ontology, graphs, synthetic.

    ``shapes=False`` leaves the shape files out, as validation does for its data graph.
    """
    from clusterkg.store.graph_files import discover
    from clusterkg.validate import shape_files

    skip = set() if shapes else set(shape_files(settings.ontology_dir))
    files = [p for p in discover(settings.bundled_paths()) if p not in skip]
    return files + ([Path(path)] if path else [])


def bench_queries(args: dict) -> list[dict]:
    """The queries of the run: benchmark queries and the project's named queries."""
    from clusterkg.queries import load_queries

    out = []
    for source, folder in (
        ("benchmark", args["bench_queries_dir"]),
        ("named", args["named_queries_dir"]),
    ):
        if not folder or not Path(folder).is_dir():
            continue
        for name, q in load_queries(Path(folder)).items():
            out.append(
                {
                    # Benchmark queries are prefixed: the project may have a query of that name.
                    "name": f"bench/{name}" if source == "benchmark" else name,
                    "source": source,
                    "aggregation": "aggregation" in q.tags or "GROUP BY" in q.text.upper(),
                    "text": q.text.replace("%CUSTOMER%", args["customer"]),
                    "params": [p.name for p in q.parameters],
                    "required": [p.name for p in q.parameters if p.required],
                }
            )
    return out


def bound_queries(args: dict) -> list[tuple[dict, str]]:
    """The queries of :func:`bench_queries` that run without input, each with its text as the
    server runs it: named queries with their default parameters bound (``VALUES``)."""
    from clusterkg.queries import load_queries
    from clusterkg.store.sparql_text import bind_values

    named = load_queries(Path(args["named_queries_dir"])) if args["named_queries_dir"] else {}
    out = []
    for q in bench_queries(args):
        if q["required"]:
            continue
        text = q["text"]
        if q["source"] == "named" and named[q["name"]].parameters:
            text = bind_values(text, named[q["name"]].bindings())
        out.append((q, text))
    return out


def task_load(args: dict) -> dict:
    from clusterkg.config import Settings
    from clusterkg.store.kg import open_kg

    start = time.perf_counter()
    kg = open_kg(Settings.from_env(), extra=[args["path"]] if args["path"] else [])
    seconds = time.perf_counter() - start
    out = {"seconds": seconds, "peak_rss_mb": peak_rss_mb(), "triples": kg.backend.count()}
    if args.get("engine_reps"):
        out["engine"] = engine_latency(kg, args)
    return out


def engine_latency(kg, args: dict) -> dict[str, dict]:
    """Per query: p50 ms of Oxigraph alone, in process: evaluation and SPARQL JSON bytes.

    The same text and parameter binding as the HTTP route, so HTTP p50 minus this is what
    the server adds (request handling, the worker hand-off, transfer, the client's decoding).
    """
    import pyoxigraph as ox

    out: dict[str, dict] = {}
    for q, text in bound_queries(args):
        times = []
        for i in range(args["engine_reps"] + 1):  # the first run is the warm-up
            start = time.perf_counter()
            body = kg.backend.raw.ox.query(text).serialize(format=ox.QueryResultsFormat.JSON)
            if i:
                times.append((time.perf_counter() - start) * 1000)
        out[q["name"]] = {"p50_ms": statistics.median(times), "bytes": len(body)}
    return out


def _naive_dataset(files: list[Path]):
    from rdflib import Dataset, URIRef

    from clusterkg.store.graph_files import QUAD_FORMATS, graph_iri_for, rdf_format

    ds = Dataset(default_union=True)
    for p in files:
        fmt = rdf_format(p)
        if fmt in QUAD_FORMATS:
            ds.parse(str(p), format=fmt)
        else:
            ds.graph(URIRef(graph_iri_for(p))).parse(str(p), format=fmt)
    return ds


def task_naive(args: dict) -> dict:
    """rdflib's in-memory Dataset and SPARQL evaluator, the same queries (capped each)."""
    from rdflib.plugins.sparql import prepareQuery  # noqa: F401  (imported as users would)

    from clusterkg.config import Settings
    from clusterkg.queries import load_queries

    settings = Settings.from_env()
    files = data_files(settings, args["path"])
    start = time.perf_counter()
    ds = _naive_dataset(files)
    load_s = time.perf_counter() - start
    rss = peak_rss_mb()
    quads = sum(len(g) for g in ds.graphs())
    # Distinct triples, comparable with clusterkg's default graph (the RDF merge of the files).
    triples = len({t for g in ds.graphs() for t in g})
    named = (
        load_queries(Path(args["named_queries_dir"]))
        if args.get("named_queries_dir") and Path(args["named_queries_dir"]).is_dir()
        else {}
    )
    results = {}
    for q in bench_queries(args):
        if q["required"]:
            results[q["name"]] = {"skipped": "needs parameters without defaults"}
            continue
        if q["name"] in args.get("naive_skip", ()):
            # It passed the cap at a smaller scale point; here it can only take longer.
            results[q["name"]] = {
                "p50_ms": args["naive_cap"] * 1000,
                "rows": None,
                "status": "timeout",
                "runs": 0,
                "inherited": True,
            }
            continue
        bindings = named[q["name"]].bindings() if q["source"] == "named" else {}
        times, rows, status = [], None, None
        for i in range(args["naive_reps"] + 1):  # the first run is the warm-up
            secs, res, status = capped(
                lambda q=q, bindings=bindings: len(
                    list(ds.query(q["text"], initBindings=bindings))
                ),
                args["naive_cap"],
            )
            if status:
                times = [secs] if status == "timeout" else []
                break
            rows = res
            if i or secs > 2:  # a slow query is not repeated: one run says enough
                times.append(secs)
            if secs > 2:
                break
        results[q["name"]] = {
            "p50_ms": statistics.median(times) * 1000 if times else None,
            "rows": rows,
            "status": status or "ok",
            "runs": len(times),
        }
    return {
        "seconds": load_s,
        "peak_rss_mb": rss,
        "triples": triples,
        "quads": quads,
        "queries": results,
    }


def task_shacl(args: dict) -> dict:
    """clusterkg's validation with its default engine, as ``clusterkg validate`` runs it:
    the shapes compiled to SPARQL on Oxigraph (``validate_paths_sparql``, shapes it cannot
    compile left to pySHACL and counted in ``fallbacks``)."""
    from clusterkg.config import Settings
    from clusterkg.shacl import validate_paths_sparql

    settings = Settings.from_env()
    paths = [*settings.bundled_paths(), *([args["path"]] if args["path"] else [])]
    start = time.perf_counter()
    result = validate_paths_sparql(paths, ontology_dir=settings.ontology_dir)
    report = result.report
    return {
        "seconds": time.perf_counter() - start,
        "engine": "sparql",
        "fallbacks": len(result.fallbacks),
        "conforms": report.conforms,
        "violations": len(report.violations),
        "triples": report.triples,
        "peak_rss_mb": peak_rss_mb(),
    }


def task_shacl_naive(args: dict) -> dict:
    """pySHACL with its defaults (no inference) on one rdflib Graph of the same files."""
    import pyshacl
    from rdflib import Graph

    from clusterkg.config import Settings
    from clusterkg.store.graph_files import rdf_format
    from clusterkg.validate import shape_files

    settings = Settings.from_env()
    start = time.perf_counter()
    data = Graph()
    for p in data_files(settings, args["path"], shapes=False):
        fmt = rdf_format(p)
        if fmt == "trig":  # a Graph takes the triples of a TriG file's graphs only via Dataset
            from rdflib import Dataset

            ds = Dataset()
            ds.parse(str(p), format="trig")
            for g in ds.graphs():
                data += g
        else:
            data.parse(str(p), format=fmt)
    shapes = Graph()
    for p in shape_files(settings.ontology_dir):
        shapes.parse(str(p), format="turtle")
    parsed = time.perf_counter()
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes)
    done = time.perf_counter()
    return {
        "seconds": done - start,
        "parse_s": parsed - start,
        "validate_s": done - parsed,
        "conforms": bool(conforms),
        "triples": len(data),
        "peak_rss_mb": peak_rss_mb(),
    }


def _lcc_curve_naive(G, order: list, grid: list[int]) -> list[float]:
    """Largest weakly connected component after removing ``order[:q]``, recomputed per q."""
    import networkx as nx

    n = G.number_of_nodes()
    out = []
    for q in grid:
        H = G.subgraph(set(G) - set(order[:q]))
        out.append(max((len(c) for c in nx.weakly_connected_components(H)), default=0) / n)
    return out


def task_analytics(args: dict) -> dict:
    """clusterkg's analytics on the supply network, the igraph calls they wrap, and the plain
    networkx calls, all on the same projected G in the same process."""
    import igraph as ig
    import networkx as nx

    from clusterkg.analytics import centrality, resilience, single_points
    from clusterkg.analytics.projection import supply_network
    from clusterkg.analytics.scenarios import run_scenario
    from clusterkg.config import Settings
    from clusterkg.store.kg import open_kg

    cap = args["analytics_cap"]
    trials, points, k = args["trials"], args["points"], args["k"]
    kg = open_kg(Settings.from_env(), extra=[args["path"]] if args["path"] else [])
    which = "all" if args["path"] else "curated"
    step: dict[str, dict] = {}

    def run(name: str, fn: Callable[[], Any], into: dict | None = None) -> Any:
        secs, value, status = capped(fn, cap)
        (step if into is None else into)[name] = {"seconds": secs, "status": status or "ok"}
        return value

    G = run("projection", lambda: supply_network(kg, which))
    if G is None:
        return {"steps": step}
    nodes, edges = G.number_of_nodes(), G.number_of_edges()
    # igraph alone, on the same G: the conversion once, then the bare kernels
    plain: dict[str, dict] = {}
    index = {v: i for i, v in enumerate(G)}
    g = run(
        "convert",
        lambda: ig.Graph(
            n=nodes, edges=[(index[u], index[v]) for u, v in G.edges()], directed=True
        ),
        plain,
    )
    run("pagerank", lambda: g.pagerank(damping=0.85, implementation="prpack"), plain)
    run("betweenness", lambda: g.betweenness(directed=True), plain)
    run("closeness", lambda: g.closeness(mode="in"), plain)
    run("harmonic", lambda: g.harmonic_centrality(mode="in"), plain)

    run("pagerank", lambda: centrality.compute(G, metrics=("pagerank",)))
    run("betweenness", lambda: centrality.compute(G, metrics=("betweenness",)))
    run("all_centralities", lambda: centrality.compute(G))
    run(
        "robustness_random",
        lambda: resilience.robustness(G, "random", trials=trials, points=points),
    )
    run("single_points", lambda: single_points.report(G))
    run(
        "resilience_report",
        lambda: (
            resilience.sourcing(G),
            resilience.self_sufficiency(G),
            resilience.critical_nodes(G),
            [
                resilience.robustness(G, s, trials=trials, points=points)
                for s in ("random", "degree", "betweenness")
            ],
            single_points.report(G),
        ),
    )
    if step["all_centralities"]["status"] == step["resilience_report"]["status"] == "ok":
        step["report_total"] = {
            "seconds": step["all_centralities"]["seconds"] + step["resilience_report"]["seconds"],
            "status": "ok",
        }
    hub = max(G, key=lambda n: (G.out_degree(n), n))
    run("cascade", lambda: resilience.cascade(G, [hub]))
    run("scenario", lambda: run_scenario(G, remove=[hub]))

    naive: dict[str, dict] = {}

    def run_naive(name: str, fn: Callable[[], Any]) -> None:
        secs, _, status = capped(fn, cap)
        naive[name] = {"seconds": secs, "status": status or "ok"}

    run_naive("pagerank", lambda: nx.pagerank(G, alpha=0.85))
    run_naive("betweenness_sampled", lambda: nx.betweenness_centrality(G, k=min(k, nodes), seed=0))
    run_naive("betweenness", lambda: nx.betweenness_centrality(G))
    rng = random.Random(0)
    grid = [round(j * nodes / min(points, nodes)) for j in range(min(points, nodes) + 1)]

    def naive_robustness() -> None:
        for _ in range(trials):
            order = list(G)
            rng.shuffle(order)
            _lcc_curve_naive(G, order, grid)

    run_naive("robustness_random", naive_robustness)
    # clusterkg / igraph: what the wrapping (dict results, normalisation) costs over the C call
    overhead = {
        name: step[name]["seconds"] / v["seconds"]
        for name, v in plain.items()
        if name in step and v["seconds"] > 0
    }
    return {
        "nodes": nodes,
        "edges": edges,
        "steps": step,
        "igraph": plain,
        "over_igraph": overhead,
        "naive": naive,
        "parameters": {"k": k, "trials": trials, "points": points, "graphs": which},
    }


TASKS = {
    "load": task_load,
    "naive": task_naive,
    "shacl": task_shacl,
    "shacl_naive": task_shacl_naive,
    "analytics": task_analytics,
}


def main(argv: list[str]) -> int:
    task, args = argv[0], json.loads(argv[1])
    result = TASKS[task](args)
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
