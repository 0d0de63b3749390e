"""open_kg builds the right engine once; the generation counts every change on every graph."""

from __future__ import annotations

import time

import pytest

from clusterkg.config import Settings
from clusterkg.store.kg import open_kg
from clusterkg.store.query_engine import QueryEngine, QueryTimeout, RemoteEngine
from clusterkg.store.workers import IsolatedEngine

# A query Oxigraph cannot finish in seconds: a cross product of 10^4 x 10^4 x 10^4 solutions.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?a { 1 2 3 4 5 6 7 8 9 10 } "
    + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(4))
    + " }"
)
TRIPLE = "INSERT DATA { <https://example.org/a> <https://example.org/p> 1 }"


def _settings(**kw) -> Settings:
    return Settings(load_bundled=False, **kw)


def test_the_generation_counts_loads_updates_and_drops_without_isolation(tmp_path):
    data = tmp_path / "one.ttl"
    data.write_text("<https://example.org/a> <https://example.org/p> 2 .\n")
    kg = open_kg(_settings(update_token="t"), extra=[data])
    try:
        assert type(kg.engine) is QueryEngine
        # Loading one file is two writes: the file into its graph, then its merge into the
        # default graph (store.graph_files.load_paths).
        loaded = kg.generation
        assert loaded == 2
        kg.engine.update(TRIPLE)
        assert kg.generation == loaded + 1
        kg.backend.drop_graph(kg.loaded[0].graph)
        assert kg.generation == loaded + 2
        # An update that keeps the triple count (delete one, insert one) is still a change.
        before = kg.backend.count()
        kg.engine.update(
            "DELETE DATA { <https://example.org/a> <https://example.org/p> 1 } ;"
            "INSERT DATA { <https://example.org/a> <https://example.org/p> 3 }"
        )
        assert kg.backend.count() == before
        assert kg.generation == loaded + 3
        # The one cache recomputes after a change and reuses its value before one.
        calls = []
        assert kg.cached("k", lambda: calls.append(1) or len(calls)) == 1
        assert kg.cached("k", lambda: calls.append(1) or len(calls)) == 1
        kg.engine.update(TRIPLE)
        assert kg.cached("k", lambda: calls.append(1) or len(calls)) == 2
    finally:
        kg.close()


def test_open_kg_picks_the_engine_for_the_store():
    plain = open_kg(_settings())
    isolated = open_kg(_settings(), isolated=True, workers=2)
    remote = open_kg(_settings(store="sparql:http://127.0.0.1:9/sparql"))
    try:
        assert type(plain.engine) is QueryEngine
        assert isinstance(isolated.engine, IsolatedEngine)
        assert isolated.engine.size == 2
        assert isolated.engine.backend is isolated.backend
        assert isinstance(remote.engine, RemoteEngine)
    finally:
        for kg in (plain, isolated, remote):
            kg.close()


def test_a_runaway_query_stops_at_its_limit_and_the_next_query_works():
    """The CLI's open_kg(..., isolated=True, workers=1): the same killable limit as the server."""
    kg = open_kg(_settings(update_token="t", query_timeout=30), isolated=True, workers=1)
    try:
        kg.engine.update(
            "INSERT DATA { "
            + " ".join(
                f"<https://example.org/s{i}> <https://example.org/p> {i} ." for i in range(100)
            )
            + " }"
        )
        start = time.monotonic()
        with pytest.raises(QueryTimeout, match="1 s limit"):
            kg.query(RUNAWAY, timeout=1)
        # Killed near its limit, not run to the end (which takes far longer than a minute).
        assert time.monotonic() - start < 20
        assert isinstance(kg.engine, IsolatedEngine) and kg.engine.timeouts == 1
        after = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert after.records() == [{"n": 100}]
    finally:
        kg.close()


def test_create_app_serves_an_already_opened_graph_as_given():
    from clusterkg.web.app import create_app

    kg = open_kg(_settings(update_token="t"), isolated=True, workers=1)
    kg.engine.update(TRIPLE)
    app = create_app(_settings(), kg=kg)
    try:
        assert app.extensions["clusterkg"] is kg
        answer = app.test_client().get(
            "/sparql",
            query_string={"query": "ASK { <https://example.org/a> <https://example.org/p> 1 }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert answer.status_code == 200
        assert answer.get_json()["boolean"] is True
    finally:
        kg.close()
