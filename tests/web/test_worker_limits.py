"""The worker pool's limits against a live server: memory, result bytes, updates, explorer.

Each test runs a real waitress server on a loopback port with real query workers, sends the
request that crosses one limit, and checks that the client gets a clear error, that other
clients are answered meanwhile, and that no data is lost.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.web.conftest import live, make_app

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _replace_bomb(levels: int) -> str:
    """The issue's query: GROUP_CONCAT over a REPLACE that multiplies each string (x10 per
    level), so its memory grows with 10**levels times the size of the data's literals."""
    expr = "STR(?o)"
    for _ in range(levels):
        expr = f'REPLACE({expr}, ".", "$0$0$0$0$0$0$0$0$0$0")'
    return f"SELECT (STRLEN(GROUP_CONCAT({expr})) AS ?n) WHERE {{ ?s ?p ?o FILTER(isLiteral(?o)) }}"


def _json(url: str, query: str) -> requests.Response:
    return requests.get(
        f"{url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )


def _count(url: str) -> int:
    resp = _json(url, COUNT)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def test_a_query_past_the_memory_ceiling_is_stopped_and_the_server_keeps_serving():
    with make_app(worker_memory_mb=64, query_timeout=60) as app, live(app) as url:
        before = _count(url)
        with ThreadPoolExecutor(2) as pool:
            heavy = pool.submit(_json, url, _replace_bomb(5))
            # Another client is answered while the runaway query holds a worker.
            ask = _json(url, "ASK { ?s ?p ?o }")
            assert ask.status_code == 200 and ask.json()["boolean"] is True
            assert not heavy.done()
            resp = heavy.result()
        assert resp.status_code == 507, resp.text
        assert "needed more than 64 MB" in resp.text
        assert "try again" not in resp.text.lower()
        # The worker that crossed the ceiling was replaced; the data is all there.
        assert _count(url) == before
