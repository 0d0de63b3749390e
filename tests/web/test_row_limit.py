"""The row limit holds on every result path, and says so.

Paths: SELECT and CONSTRUCT written by the query worker (JSON, XML, CSV, Turtle, N-Triples),
the general path written in the server (JSON-LD for CONSTRUCT, the HTML result page) and a remote ``sparql:`` store (a real ``oxigraph serve``). The bundled graph has thousands of
triples, so a limit of 7 must cut every answer to exactly 7 rows or triples and mark it.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph

from tests.web.conftest import live, make_app

LIMIT = 7
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
SMALL = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def limited():
    with make_app(row_limit=LIMIT) as app:
        yield app.test_client()


def _truncation_stated(resp) -> None:
    assert resp.headers.get("X-Clusterkg-Truncated") == "true"
    assert resp.headers.get("X-Clusterkg-Row-Limit") == str(LIMIT)


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_select_in_the_worker_stops_at_the_limit(limited, accept):
    resp = limited.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert resp.status_code == 200
    if accept.endswith("json"):
        rows = len(resp.get_json(force=True)["results"]["bindings"])
    else:
        rows = len(list(ET.fromstring(resp.data).iter(f"{RESULTS_NS}result")))
    assert rows == LIMIT
    _truncation_stated(resp)


def test_select_as_csv_stops_at_the_limit(limited):
    resp = limited.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["s", "p", "o"]
    assert len(rows) == 1 + LIMIT
    _truncation_stated(resp)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_stops_at_the_limit(limited, accept, fmt):
    resp = limited.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert resp.status_code == 200
    assert resp.mimetype == accept
    assert len(Graph().parse(data=resp.data, format=fmt)) == LIMIT
    _truncation_stated(resp)


def test_html_result_page_stops_at_the_limit(limited):
    # The general path: the named query's result rendered in the server.
    resp = limited.get(
        "/queries/cluster-members",
        query_string={"cluster": "id/cluster/chengdu-chongqing-auto"},
        headers={"Accept": "text/html"},
    )
    page = resp.get_data(as_text=True)
    body = page.split("</tr>", 1)[1]  # after the header row
    assert body.count("<tr>") == LIMIT
    assert f"First {LIMIT} rows; the result was cut at the row limit ({LIMIT} rows)." in page


def test_a_result_under_the_limit_is_not_marked(limited):
    resp = limited.get("/sparql", query_string={"query": SMALL})
    assert len(resp.get_json(force=True)["results"]["bindings"]) == 3
    assert "X-Clusterkg-Truncated" not in resp.headers


def test_remote_sparql_store_stops_at_the_limit(oxigraph_server):
    spec = f"sparql:{oxigraph_server}/query,{oxigraph_server}/update"
    with make_app(store=spec, row_limit=LIMIT) as app, live(app) as url:
        resp = requests.get(f"{url}/sparql", params={"query": SELECT}, timeout=60)
        assert len(resp.json()["results"]["bindings"]) == LIMIT
        _truncation_stated(resp)
        resp = requests.get(
            f"{url}/sparql",
            params={"query": CONSTRUCT},
            headers={"Accept": "text/turtle"},
            timeout=60,
        )
        assert len(Graph().parse(data=resp.text, format="turtle")) == LIMIT
        _truncation_stated(resp)


def _values(n: int) -> str:
    numbers = " ".join(str(i) for i in range(n))
    return f"SELECT ?n WHERE {{ VALUES ?n {{ {numbers} }} }}"


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
@pytest.mark.parametrize(
    ("n", "truncated"), [(LIMIT - 1, False), (LIMIT, False), (LIMIT + 1, True)]
)
def test_limit_boundary(limited, accept, n, truncated):
    # One row more than the limit is cut and marked; exactly the limit is complete.
    resp = limited.get("/sparql", query_string={"query": _values(n)}, headers={"Accept": accept})
    if accept == "text/csv":
        rows = [r[0] for r in csv.reader(io.StringIO(resp.get_data(as_text=True)))][1:]
    else:
        rows = [b["n"]["value"] for b in resp.get_json(force=True)["results"]["bindings"]]
    assert rows == [str(i) for i in range(min(n, LIMIT))]
    assert (resp.headers.get("X-Clusterkg-Truncated") == "true") is truncated
