"""The serving-design floors of ``benchmarks.front_floor`` answer what oxigraph serve answers.

No timing is judged: each minimal front is started on the bundled graphs and must return the
same solutions as ``oxigraph serve`` for the benchmark's lookup and ``ASK {}``, and the report
must have a row per server.
"""

from __future__ import annotations

import json

import pytest

from benchmarks import front_floor, side_by_side

pytestmark = pytest.mark.slow


def _solutions(body: bytes):
    doc = json.loads(body)
    if "boolean" in doc:
        return doc["boolean"]
    rows = [
        tuple(sorted((k, v["value"]) for k, v in b.items())) for b in doc["results"]["bindings"]
    ]
    return sorted(rows)


@pytest.fixture(scope="module")
def nt(tmp_path_factory):
    path = tmp_path_factory.mktemp("floor") / "data.nt"
    side_by_side.write_ntriples(None, path)
    return path


@pytest.fixture(scope="module")
def reference(nt):
    server = side_by_side.start_oxigraph(nt)
    try:
        return {
            q: _solutions(side_by_side.post(server.url, q)[1])
            for q in (side_by_side.LOOKUP, side_by_side.ASK)
        }
    finally:
        server.close()


@pytest.mark.parametrize("kind", sorted(front_floor.FRONTS))
def test_front_answers_like_oxigraph_serve(kind, nt, reference):
    assert not front_floor.missing(kind), f"the bench packages are part of the test extra: {kind}"
    server = front_floor.start_front(kind, nt)
    try:
        for query, expected in reference.items():
            status, body = side_by_side.post(server.url, query)
            assert status == 200
            assert _solutions(body) == expected
        assert reference[side_by_side.LOOKUP], "the lookup finds the firm's statements"
    finally:
        server.close()


def test_report_has_a_row_per_server(tmp_path):
    results = front_floor.main(
        [
            *("--fronts", "asyncio-worker", "--reps", "3", "--warmup", "1"),
            *("--clients", "2", "--seconds", "0.3", "--json", str(tmp_path / "ff.json")),
        ]
    )
    assert [s["label"] for s in results["servers"]] == [
        "oxigraph serve",
        "clusterkg serve",
        "asyncio-worker",
    ]
    text = front_floor.markdown(results)
    for label in ("| oxigraph serve | 0", "| clusterkg serve |", "| asyncio-worker |"):
        assert label in text
    assert all(s["throughput"]["errors"] == 0 for s in results["servers"])
    # the front's own CPU is split out where the front is one process over its workers
    split = [
        s["label"] for s in results["servers"] if "front_cpu_per_request_ms" in s["throughput"]
    ]
    assert split == ["clusterkg serve", "asyncio-worker"]
