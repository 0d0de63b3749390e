"""/sparql through Flask's test client: the protocol operations, negotiation and errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from tests.web.conftest import make_app

CLUSTERS = """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
SELECT DISTINCT ?c WHERE { ?c a ck:IndustrialCluster } ORDER BY ?c"""
SD = "http://www.w3.org/ns/sparql-service-description#"


def expected_clusters(reference) -> list[str]:
    return [str(r.c) for r in reference.query(CLUSTERS)]


def parse(resp, fmt: str) -> Result:
    return Result.parse(io.BytesIO(resp.data), format=fmt)


def test_get_post_form_and_post_direct_agree_with_rdflib(web_client, reference):
    expected = expected_clusters(reference)
    assert expected, "the bundled graph has clusters"
    answers = [
        web_client.get("/sparql", query_string={"query": CLUSTERS}),
        web_client.post("/sparql", data={"query": CLUSTERS}),
        web_client.post("/sparql/", data=CLUSTERS, content_type="application/sparql-query"),
    ]
    for resp in answers:
        assert resp.status_code == 200
        assert resp.mimetype == "application/sparql-results+json"
        assert [str(row[0]) for row in parse(resp, "json")] == expected


@pytest.mark.parametrize(
    ("accept", "mime", "parser"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
        (
            "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
            "xml",
        ),
        ("text/csv;q=1.0, application/sparql-results+xml;q=0.2", "text/csv", "csv"),
        ("*/*", "application/sparql-results+json", "json"),
        ("application/json", "application/json", "json"),
    ],
)
def test_select_negotiation(web_client, reference, accept, mime, parser):
    resp = web_client.get("/sparql", query_string={"query": CLUSTERS}, headers={"Accept": accept})
    assert resp.status_code == 200
    assert resp.mimetype == mime
    got = [str(row[0]) for row in parse(resp, parser)]
    assert got == expected_clusters(reference)


def test_csv_follows_the_w3c_format(web_client):
    query = 'SELECT ?a ?b WHERE { VALUES (?a ?b) { (<http://x/1> "say \\"hi\\", ok"@en) } }'
    resp = web_client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert resp.data.startswith(b"a,b\r\n")
    assert list(csv.reader(io.StringIO(resp.data.decode())))[1] == ["http://x/1", 'say "hi", ok']


def test_ask_and_graph_results(web_client):
    ask = web_client.get("/sparql", query_string={"query": "ASK { FILTER(1 < 2) }"})
    assert json.loads(ask.data)["boolean"] is True
    ask_xml = web_client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "application/xml"}
    )
    assert parse(ask_xml, "xml").askAnswer is True
    construct = "CONSTRUCT { <http://x/s> <http://x/p> 1 } WHERE {}"
    expected = {(URIRef("http://x/s"), URIRef("http://x/p"), Literal(1))}
    for accept, fmt in [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
    ]:
        headers = {"Accept": accept} if accept else {}
        resp = web_client.get("/sparql", query_string={"query": construct}, headers=headers)
        assert resp.status_code == 200, accept
        assert set(Graph().parse(data=resp.data, format=fmt)) == expected, accept


def test_format_parameter_overrides_accept(web_client):
    resp = web_client.get(
        "/sparql",
        query_string={"query": "SELECT (1 AS ?x) {}", "format": "tsv"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert resp.mimetype == "text/tab-separated-values"
    assert resp.data.decode().splitlines()[0] == "?x"


def test_not_acceptable(web_client):
    resp = web_client.get(
        "/sparql", query_string={"query": "SELECT (1 AS ?x) {}"}, headers={"Accept": "image/png"}
    )
    assert resp.status_code == 406
    assert b"application/sparql-results+json" in resp.data
    resp = web_client.get("/sparql", query_string={"query": "ASK {}", "format": "csv"})
    assert resp.status_code == 406


def test_syntax_error_has_line_and_column(web_client):
    resp = web_client.get("/sparql", query_string={"query": "SELECT ?x WHERE {\n  ?x ?y \n"})
    assert resp.status_code == 400
    text = resp.data.decode()
    assert "syntax error" in text and "line 3" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"method": "PUT", "query_string": {"query": "ASK {}"}}, 405),
        ({"method": "DELETE"}, 405),
        ({"method": "POST", "data": "ASK {}", "content_type": "text/plain"}, 415),
        ({"method": "POST", "data": "query=ASK%20%7B%7D"}, 415),
        (
            {
                "method": "POST",
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query; charset=UTF-16",
            },
            415,
        ),
        ({"method": "GET", "query_string": "query=ASK%20%7B%7D&query=ASK%20%7B%7D"}, 400),
        ({"method": "GET", "query_string": {"update": "CLEAR ALL"}}, 400),
        ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400),
        (
            {"method": "GET", "query_string": {"query": "ASK {}", "default-graph-uri": "not iri"}},
            400,
        ),
    ],
)
def test_protocol_errors(web_client, kwargs, status):
    resp = web_client.open("/sparql", **kwargs)
    assert resp.status_code == status
    assert resp.headers["X-Request-Id"]


def test_dataset_parameters_select_loaded_graphs(web_client, reference):
    regions = "https://w3id.org/clusterkg/graph/regions"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    resp = web_client.get("/sparql", query_string={"query": query, "default-graph-uri": regions})
    assert int(list(parse(resp, "json"))[0][0]) == len(reference.graph(URIRef(regions)))
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    resp = web_client.get("/sparql", query_string={"query": named, "named-graph-uri": regions})
    assert [str(r[0]) for r in parse(resp, "json")] == [regions]


def test_service_description(web_client, reference):
    resp = web_client.get("/sparql", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200
    g = Graph().parse(data=resp.data, format="turtle")
    service = next(
        g.subjects(
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(SD + "Service")
        )
    )
    assert g.value(service, URIRef(SD + "endpoint")) == URIRef("http://localhost/sparql")
    names = {str(n) for n in g.objects(None, URIRef(SD + "name"))}
    assert names == {str(c.identifier) for c in reference.contexts()} - {"urn:x-rdflib:default"}
    html = web_client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.mimetype == "text/html" and b"<form" in html.data


def test_cors(web_client):
    resp = web_client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert resp.headers["Access-Control-Allow-Origin"] in ("*", "https://example.org")
    pre = web_client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert pre.status_code == 200
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_row_limit_is_stated():
    with make_app(row_limit=3) as app:
        client = app.test_client()
        query = "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 } }"
        resp = client.get("/sparql", query_string={"query": query})
        assert resp.headers["X-Clusterkg-Truncated"] == "true"
        assert resp.headers["X-Clusterkg-Row-Limit"] == "3"
        doc = json.loads(resp.data)
        assert len(doc["results"]["bindings"]) == 3
        assert doc["head"]["link"] == ["http://localhost/sparql/limits"]
        assert b"3 rows" in client.get("/sparql/limits").data
        small = client.get("/sparql", query_string={"query": "SELECT ?i { VALUES ?i { 1 2 } }"})
        assert "X-Clusterkg-Truncated" not in small.headers


def test_body_limit(web_client):
    big = "ASK {} #" + "x" * 1_000_001
    resp = web_client.post("/sparql", data=big, content_type="application/sparql-query")
    assert resp.status_code == 413
    assert b"limit" in resp.data


def test_unexpected_errors_hide_the_trace(web_app, caplog):
    with make_app() as app:

        def boom():
            raise RuntimeError("secret internal detail")

        app.add_url_rule("/boom", "boom", boom)
        resp = app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert resp.status_code == 500
    body = json.loads(resp.data)
    assert "secret" not in resp.data.decode() and "Traceback" not in resp.data.decode()
    assert body["request_id"] == resp.headers["X-Request-Id"]
    assert any(body["request_id"] in r.getMessage() for r in caplog.records)


EXPOSED = "Link, X-Clusterkg-Byte-Limit, X-Clusterkg-Row-Limit, X-Clusterkg-Truncated, X-Request-Id"


def _cors(resp):
    return [(k, v) for k, v in resp.headers.items() if k.startswith("Access-Control")] + [
        ("Vary", v) for k, v in resp.headers.items() if k == "Vary" and v == "Origin"
    ]


@pytest.mark.parametrize(
    ("method", "path", "headers", "expected"),
    [
        # The headers Flask-CORS sent (CORS(app, methods=[GET, POST, OPTIONS])), recorded.
        ("GET", "/sparql?query=ASK%7B%7D", {}, [("Access-Control-Allow-Origin", "*")]),
        (
            "GET",
            "/sparql?query=ASK%7B%7D",
            {"Origin": "https://example.org"},
            [("Access-Control-Allow-Origin", "https://example.org"), ("Vary", "Origin")],
        ),
        (  # an error answer too
            "GET",
            "/no-such-route",
            {"Origin": "https://example.org"},
            [("Access-Control-Allow-Origin", "https://example.org"), ("Vary", "Origin")],
        ),
        (
            "OPTIONS",
            "/sparql",
            {
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-Foo, Content-Type",
            },
            [
                ("Access-Control-Allow-Origin", "https://example.org"),
                ("Access-Control-Allow-Headers", "Content-Type, X-Foo"),
                ("Access-Control-Allow-Methods", "GET, OPTIONS, POST"),
                ("Vary", "Origin"),
            ],
        ),
        (  # a method not allowed: no Allow-Methods
            "OPTIONS",
            "/sparql",
            {"Origin": "https://example.org", "Access-Control-Request-Method": "DELETE"},
            [("Access-Control-Allow-Origin", "https://example.org"), ("Vary", "Origin")],
        ),
        (
            "OPTIONS",
            "/sparql",
            {
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "get",
                "Access-Control-Request-Private-Network": "true",
            },
            [
                ("Access-Control-Allow-Origin", "https://example.org"),
                ("Access-Control-Allow-Private-Network", "false"),
                ("Access-Control-Allow-Methods", "GET, OPTIONS, POST"),
                ("Vary", "Origin"),
            ],
        ),
    ],
)
def test_cors_headers(web_client, method, path, headers, expected):
    resp = web_client.open(path, method=method, headers=headers)
    got = _cors(resp)
    assert ("Access-Control-Expose-Headers", EXPOSED) in got
    assert [pair for pair in got if pair[0] != "Access-Control-Expose-Headers"] == expected
    assert "Access-Control-Allow-Credentials" not in resp.headers
