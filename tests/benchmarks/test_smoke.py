"""A small run of the benchmark, so that it cannot rot: every section present, sane values.

No timing thresholds here (performance is judged by the full benchmark, not by tests): the
assertions are about the report's shape and about facts that hold at any speed, such as both
stacks returning the same rows for the same query and the loaded triple counts.
"""

from __future__ import annotations

import json

import pytest

from benchmarks import data as data_mod
from benchmarks.report import ANALYTICS_STEPS
from benchmarks.run import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    results = main(
        [
            "--points",
            "curated,tiny",
            "--only",
            "tiny=load,naive,http,analytics",
            "--no-named-queries",
            "--reps",
            "2",
            "--warmup",
            "1",
            "--rounds",
            "1",
            "--clients",
            "8",
            "--naive-reps",
            "1",
            "--naive-cap",
            "20",
            "--trials",
            "2",
            "--curve-points",
            "5",
            "--k",
            "16",
            "--data-dir",
            str(out / "data"),
            "--json",
            str(out / "latest.json"),
            "--markdown",
            str(out / "BENCHMARKS.md"),
            "--quiet",
        ]
    )
    return out, results


def test_json_written_and_equal_to_returned(run):
    out, results = run
    assert json.loads((out / "latest.json").read_text())["points"][0]["name"] == "curated"
    assert [p["name"] for p in results["points"]] == ["curated", "tiny"]
    m = results["machine"]
    assert m["cores"] >= 1 and m["python"] and m["libraries"]["pyoxigraph"]


def test_every_section_measured(run):
    _, results = run
    curated, tiny = results["points"]
    for section in ("load", "naive", "shacl", "shacl_naive", "http", "analytics"):
        assert curated[section].get("status", "ok") == "ok", curated[section]
    for section in ("load", "naive", "http", "analytics"):
        assert tiny[section].get("status", "ok") == "ok", tiny[section]
    assert "shacl" not in tiny  # --only limited the tiny point
    # Curators edit graphs/ while this runs, so conformance itself is not asserted here.
    assert isinstance(curated["shacl"]["conforms"], bool)
    assert isinstance(curated["shacl_naive"]["conforms"], bool)
    assert curated["shacl"]["violations"] >= 0


def test_loads_agree_on_size(run):
    _, results = run
    curated, tiny = results["points"]
    # The tiny network adds its generated triples to the curated graph, on both stacks.
    added = tiny["load"]["triples"] - curated["load"]["triples"]
    assert added == tiny["data"]["synthetic_triples"] > 0
    assert tiny["naive"]["triples"] - curated["naive"]["triples"] == added
    # Distinct triples on the naive side equal clusterkg's merged default graph.
    assert curated["naive"]["triples"] == curated["load"]["triples"]
    assert curated["naive"]["quads"] >= curated["naive"]["triples"]
    for p in (curated, tiny):
        assert p["load"]["peak_rss_mb"] > 10 and p["naive"]["peak_rss_mb"] > 10


def test_same_queries_same_rows_on_both_stacks(run):
    _, results = run
    for p in results["points"]:
        http, naive = p["http"]["queries"], p["naive"]["queries"]
        names = {
            f"bench/{f.stem}"
            for f in (data_mod.Path(__file__).parents[2] / "benchmarks" / "queries").glob("*.rq")
        }
        assert set(http) == names == set(naive)
        for name, v in http.items():
            assert v["statuses"] == [200], (p["name"], name)
            assert v["p95_ms"] >= v["p50_ms"] > 0
            assert naive[name]["rows"] == v["rows"], (p["name"], name)
        assert p["ratios"]["queries"][name] > 0


def test_concurrency_and_analytics_sane(run):
    _, results = run
    for p in results["points"]:
        c = p["http"]["concurrent"]
        assert c["clients"] == 8 and c["errors"] == 0
        assert c["requests"] == 8 * len(p["http"]["queries"])
        assert c["client_kind"] == "process"
        # The floor follows from the measured CPU cost: clients x CPU per request / cores.
        assert c["cpu_per_request_ms"] > 0
        assert c["cpu_floor_mean_ms"] == pytest.approx(
            c["clients"] * c["cpu_per_request_ms"] / c["cores"]
        )
        assert c["cpu_floor_ratio"] == pytest.approx(
            c["cpu_floor_mean_ms"] / c["single_client_mean_ms"]
        )
        a = p["analytics"]
        assert a["nodes"] > 0 and a["edges"] > 0
        for step in ANALYTICS_STEPS:
            assert a["steps"][step]["status"] == "ok"
        assert set(a["naive"]) == {
            "pagerank",
            "betweenness",
            "betweenness_sampled",
            "robustness_random",
        }


def test_targets_and_markdown(run):
    out, results = run
    ids = {t["id"] for t in results["targets"]}
    assert {
        "load-1m",
        "rss-1m",
        "shacl-1m",
        "analytics-national",
        "analytics-firms100k",
        "concurrency-curated",
    } <= ids
    conc = next(t for t in results["targets"] if t["id"] == "concurrency-curated")
    assert conc["measured"] > 0 and conc["met"] in (True, False)
    # No 1M point in the smoke run: those targets say so rather than pass.
    assert next(t for t in results["targets"] if t["id"] == "load-1m")["met"] is None
    md = (out / "BENCHMARKS.md").read_text()
    for heading in (
        "## Targets",
        "## Load time and peak memory",
        "## SHACL validation",
        "## Query latency over HTTP: curated",
        "## Query latency over HTTP: tiny",
        "## Throughput with concurrent clients",
        "## Analytics",
    ):
        assert heading in md


def test_engine_alone_measured_for_every_query(run):
    """The in-process Oxigraph time exists for every HTTP query and is its own measurement."""
    out, results = run
    for p in results["points"]:
        engine, http = p["load"]["engine"], p["http"]["queries"]
        assert set(engine) == set(http)
        for name, v in engine.items():
            assert v["p50_ms"] > 0 and v["bytes"] > 0, (p["name"], name)
    md = (out / "BENCHMARKS.md").read_text()
    assert "| Oxigraph alone p50 ms |" in md and "floor for the mean ratio" in md


def test_engine_alone_shown_for_a_point_measured_without_http(run):
    """A point run with --only POINT=load (as 10m is) still reports its Oxigraph-alone times."""
    import copy

    from benchmarks.report import render_markdown

    _, results = run
    results = copy.deepcopy(results)
    tiny = results["points"][1]
    del tiny["http"]
    md = render_markdown(results)
    assert "## Query latency, Oxigraph alone (no HTTP run): tiny" in md
    assert "## Query latency over HTTP: tiny" not in md
    some = next(iter(tiny["load"]["engine"]))
    assert f"| {some} |" in md.split("Oxigraph alone (no HTTP run): tiny")[1]


def test_other_engine_against_a_second_clusterkg_server(run, tmp_path):
    """``benchmarks.other_engine`` against a real endpoint holding the same data (here a second
    clusterkg server) finds the same rows for every query the run measured; its dump holds
    exactly the triples clusterkg loaded."""
    import pyoxigraph as ox

    from benchmarks import endpoint, other_engine

    _, results = run
    curated = results["points"][0]
    server = endpoint.Server(None)
    try:
        rows = other_engine.measure(f"{server.url}/sparql", curated, {}, reps=1, warmup=0)
    finally:
        server.close()
    compared = [r for r in rows if r["clusterkg_rows"] is not None]
    assert {r["query"] for r in compared} == set(curated["http"]["queries"])
    for r in compared:
        assert r["error"] is None and r["rows"] == r["clusterkg_rows"], r
        assert r["p50_ms"] > 0
    assert "**" not in other_engine.markdown(rows)
    out = tmp_path / "all.nt"
    written = other_engine.dump(curated, out)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == curated["load"]["triples"] <= written
