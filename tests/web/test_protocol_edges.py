"""Protocol edges found by real clients (issue 15): ``format=`` against Accept, graph formats.

SPARQLWrapper sends its return format twice: as ``format=`` (with its own names, ``n3`` among
them) and as an Accept header of media types. The server must answer the Accept header it can
satisfy when the ``format=`` name cannot be met, and must refuse a SELECT-results format for a
graph result rather than answer another syntax silently. Expected graphs and rows come from
rdflib alone over the source files (the ``reference`` fixture), not from the server.
"""

from __future__ import annotations

import io

import pytest
import requests
from rdflib import Graph
from rdflib.query import Result
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

CK = "https://w3id.org/clusterkg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
CONSTRUCT = f"""PREFIX ck: <{CK}> PREFIX rdfs: <{RDFS}>
CONSTRUCT {{ ?c a ck:IndustrialCluster ; rdfs:label ?l }}
WHERE {{ ?c a ck:IndustrialCluster ; rdfs:label ?l }}"""
SELECT = f"""PREFIX ck: <{CK}> PREFIX rdfs: <{RDFS}>
SELECT DISTINCT ?c ?l WHERE {{ ?c a ck:IndustrialCluster ; rdfs:label ?l }} ORDER BY ?c ?l"""
DESCRIBE = "DESCRIBE <https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto>"
#: SPARQLWrapper's method settings: GET, POST as a form, POST with the query as the body.
METHODS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]


def client(url: str, query: str, fmt: str, method: tuple[str, str]) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method[0])
    sparql.setRequestMethod(method[1])
    return sparql


@pytest.fixture(scope="module")
def constructed(reference) -> set:
    return set(reference.query(CONSTRUCT).graph)


@pytest.fixture(scope="module")
def selected(reference) -> list[tuple[str, str]]:
    return [(str(r.c), str(r.l)) for r in reference.query(SELECT)]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: "-".join(m))
@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        (N3, "text/turtle"),  # sends format=n3, a name the server does not know
        (TURTLE, "text/turtle"),
        (XML, "application/rdf+xml"),  # format=xml on a graph means RDF/XML to this client
        (RDFXML, "application/rdf+xml"),
        (JSONLD, "application/ld+json"),
    ],
)
def test_sparqlwrapper_graph_formats(live_url, constructed, method, fmt, mime):
    answer = client(live_url, CONSTRUCT, fmt, method).query()
    assert answer.info()["content-type"].split(";")[0] == mime
    got = answer.convert()
    if isinstance(got, bytes):  # SPARQLWrapper hands N3/Turtle over unparsed
        got = Graph().parse(data=got, format="turtle")
    assert set(got) == constructed


@pytest.mark.parametrize("method", METHODS, ids=lambda m: "-".join(m))
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_formats(live_url, selected, method, fmt):
    answer = client(live_url, SELECT, fmt, method).query()
    body = answer.response.read()
    parser = {JSON: "json", XML: "xml", CSV: "csv", TSV: "tsv"}[fmt]
    rows = [(str(r[0]), str(r[1])) for r in Result.parse(io.BytesIO(body), format=parser)]
    assert rows == selected


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("query", "fmt"),
    [(SELECT, f) for f in ("json", "xml", "csv", "tsv")]
    + [("ASK { ?s ?p ?o }", f) for f in ("json", "xml")],  # ASK has no CSV/TSV form here
    ids=lambda v: v.split()[0].lower() if " " in v else v,
)
def test_unknown_format_yields_to_a_satisfiable_accept(live_url, method, fmt, query):
    # The Accept header SPARQLWrapper would send for the format; format= is SPARQLWrapper's
    # N3 name, which no result set has.
    accept = {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    }[fmt]
    params = {"query": query, "format": "n3"}
    send = {"params": params} if method == "GET" else {"data": params}
    resp = requests.request(
        method, f"{live_url}/sparql", headers={"Accept": accept}, timeout=30, **send
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].split(";")[0] == accept


@pytest.mark.parametrize("query", [DESCRIBE, CONSTRUCT], ids=["describe", "construct"])
@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "srj"])
def test_results_format_on_a_graph_is_refused(web_client, query, fmt):
    for accept in (None, "*/*", "text/html,application/xhtml+xml,*/*;q=0.8"):
        headers = {"Accept": accept} if accept else {}
        resp = web_client.get(
            "/sparql", query_string={"query": query, "format": fmt}, headers=headers
        )
        assert resp.status_code == 406, (accept, resp.data[:200])
        text = resp.get_data(as_text=True)
        assert f"format={fmt}" in text
        assert "RDF graph" in text
        # The formats that do fit a graph result are named.
        assert "format=turtle, nt, jsonld, rdfxml, nq, trig" in text
        assert "text/turtle" in text


def test_results_format_on_a_graph_yields_to_a_named_graph_type(web_client, constructed):
    resp = web_client.get(
        "/sparql",
        query_string={"query": CONSTRUCT, "format": "json"},
        headers={"Accept": "text/turtle"},
    )
    assert resp.status_code == 200
    assert resp.mimetype == "text/turtle"
    assert set(Graph().parse(data=resp.data, format="turtle")) == constructed


def test_unknown_format_without_a_usable_accept_is_refused(web_client):
    for accept in (None, "*/*"):
        headers = {"Accept": accept} if accept else {}
        resp = web_client.get(
            "/sparql", query_string={"query": SELECT, "format": "n3"}, headers=headers
        )
        assert resp.status_code == 406
        text = resp.get_data(as_text=True)
        assert "format=n3 is not a format this server writes" in text
        assert "format=json, xml, csv, tsv" in text


def test_graph_format_on_a_select_is_refused(web_client):
    resp = web_client.get("/sparql", query_string={"query": SELECT, "format": "turtle"})
    assert resp.status_code == 406
    assert "cannot be given for a SELECT result" in resp.get_data(as_text=True)
