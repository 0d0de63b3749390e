"""Results written by Oxigraph in the query worker: same answers, exact row limit, fallbacks.

The data is a small graph written here, so every expected answer is worked out by hand.
"""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from werkzeug.datastructures import MIMEAccept

from clusterkg.config import Settings
from clusterkg.store.native import SerializedResult
from clusterkg.store.results import QueryResult
from clusterkg.store.workers import IsolatedEngine
from clusterkg.views.serialize import json_with_link
from clusterkg.web.formats import native_formats
from tests.web.conftest import make_app

EX = "http://example.org/"
DATA = r"""@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p "plain", "hello"@en, "line1\nline2\tend, \"quoted\"", "1.5"^^xsd:decimal, _:b1, ex:b .
_:b1 ex:q "x" .
"""
#: The triples of DATA as (s, p, o) with the blank node written "B".
TRIPLES = {
    (f"{EX}a", f"{EX}p", Literal("plain")),
    (f"{EX}a", f"{EX}p", Literal("hello", lang="en")),
    (f"{EX}a", f"{EX}p", Literal('line1\nline2\tend, "quoted"')),
    (f"{EX}a", f"{EX}p", Literal("1.5", datatype=XSD.decimal)),
    (f"{EX}a", f"{EX}p", "B"),
    (f"{EX}a", f"{EX}p", f"{EX}b"),
    ("B", f"{EX}q", Literal("x")),
}
ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
FIVE = 'SELECT ?i WHERE { VALUES ?i { "a\\nb" "c\\td" 3 4 5 } }'


def _root(tmp_path_factory, queries: dict[str, str] | None = None):
    root = tmp_path_factory.mktemp("root")
    (root / "ontology").mkdir()
    (root / "graphs").mkdir()
    (root / "graphs" / "t.ttl").write_text(DATA)
    (root / "queries").mkdir()
    for name, text in (queries or {}).items():
        (root / "queries" / f"{name}.rq").write_text(text)
    return root


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The hand-written graph, row limit 3."""
    with make_app(root=_root(tmp_path_factory), row_limit=3) as app:
        yield app


@pytest.fixture(scope="module")
def roomy(tmp_path_factory):
    """The hand-written graph, default row limit."""
    with make_app(root=_root(tmp_path_factory)) as app:
        yield app


def _rows(result: Result) -> set[tuple]:
    """SELECT ?s ?p ?o rows with the blank node as "B" (after checking there is one label)."""
    bnodes = {t for row in result for t in row if isinstance(t, BNode)}
    assert len(bnodes) == 1, bnodes  # subject of ex:q and object of ex:p: the same node
    return {
        tuple("B" if isinstance(t, BNode) else (str(t) if isinstance(t, URIRef) else t) for t in r)
        for r in result
    }


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_answers_keep_every_term(roomy, fmt):
    resp = roomy.test_client().get("/sparql", query_string={"query": ALL, "format": fmt})
    assert resp.status_code == 200
    assert "X-Clusterkg-Truncated" not in resp.headers
    assert _rows(Result.parse(io.BytesIO(resp.data), format=fmt)) == TRIPLES


def test_csv_answers(roomy):
    resp = roomy.test_client().get("/sparql", query_string={"query": ALL, "format": "csv"})
    rows = list(csv.reader(io.StringIO(resp.data.decode())))
    assert rows[0] == ["s", "p", "o"]
    objects = {r[2] for r in rows[1:]}
    # CSV carries values only (SPARQL 1.1 CSV/TSV, section 2): no language, no datatype.
    assert {"plain", "hello", 'line1\nline2\tend, "quoted"', "1.5", f"{EX}b", "x"} <= objects
    assert len(rows) == 1 + len(TRIPLES)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "trig", "nquads"])
def test_construct_answers(roomy, fmt):
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    resp = roomy.test_client().get("/sparql", query_string={"query": construct, "format": fmt})
    assert resp.status_code == 200
    g = Graph().parse(data=resp.data, format={"xml": "xml"}.get(fmt, fmt))
    bnodes = {t for tr in g for t in tr if isinstance(t, BNode)}
    assert len(bnodes) == 1
    got = {
        tuple("B" if isinstance(t, BNode) else (str(t) if isinstance(t, URIRef) else t) for t in tr)
        for tr in g
    }
    assert got == TRIPLES


def test_row_limit_is_exact_in_every_format(small):
    client = small.test_client()
    for fmt, count in [
        ("json", lambda b: len(json.loads(b)["results"]["bindings"])),
        ("xml", lambda b: len(Result.parse(io.BytesIO(b), format="xml").bindings)),
        ("tsv", lambda b: len(Result.parse(io.BytesIO(b), format="tsv").bindings)),
        ("csv", lambda b: len(list(csv.reader(io.StringIO(b.decode())))) - 1),
    ]:
        # Two of the values hold a line break and a tab: rows are still counted right.
        resp = client.get("/sparql", query_string={"query": FIVE, "format": fmt})
        assert resp.headers["X-Clusterkg-Truncated"] == "true", fmt
        assert resp.headers["X-Clusterkg-Row-Limit"] == "3", fmt
        assert resp.headers["Link"] == '<http://localhost/sparql/limits>; rel="describedby"'
        assert count(resp.data) == 3, fmt
        # One row more than the limit is the smallest truncated answer.
        four = client.get(
            "/sparql", query_string={"query": "SELECT ?i { VALUES ?i { 1 2 3 4 } }", "format": fmt}
        )
        assert four.headers["X-Clusterkg-Truncated"] == "true", fmt
        assert count(four.data) == 3, fmt
        exact = client.get(
            "/sparql", query_string={"query": "SELECT ?i { VALUES ?i { 1 2 3 } }", "format": fmt}
        )
        assert "X-Clusterkg-Truncated" not in exact.headers, fmt
        assert count(exact.data) == 3, fmt
    doc = json.loads(client.get("/sparql", query_string={"query": FIVE}).data)
    assert doc["head"] == {"vars": ["i"], "link": ["http://localhost/sparql/limits"]}
    assert [b["i"]["value"] for b in doc["results"]["bindings"]] == ["a\nb", "c\td", "3"]


def test_row_limit_cuts_graphs(small):
    resp = small.test_client().get(
        "/sparql",
        query_string={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "format": "nt"},
    )
    assert resp.headers["X-Clusterkg-Truncated"] == "true"
    assert len(Graph().parse(data=resp.data, format="nt")) == 3


def test_named_query_row_limit(tmp_path_factory):
    text = "# title: Everything\nSELECT ?s ?p ?o WHERE { ?s ?p ?o }\n"
    with make_app(root=_root(tmp_path_factory, {"all": text}), row_limit=2) as app:
        resp = app.test_client().get("/queries/all", headers={"Accept": "text/csv"})
        assert resp.headers["X-Clusterkg-Truncated"] == "true"
        assert len(list(csv.reader(io.StringIO(resp.data.decode())))) == 3
        doc = app.test_client().get("/queries/all").get_json()
        assert len(doc["results"]["bindings"]) == 2
        assert doc["head"]["link"] == ["http://localhost/sparql/limits"]


def test_the_worker_writes_native_formats_and_leaves_the_rest(roomy):
    engine = roomy.extensions["clusterkg"].engine
    assert isinstance(engine, IsolatedEngine)
    written = engine.query(ALL, native={"select": "json"})
    assert isinstance(written, SerializedResult) and written.format == "json"
    assert len(json.loads(written.body)["results"]["bindings"]) == len(TRIPLES)
    # A kind without a native format (here: a graph asked for as JSON-LD) takes the usual path.
    general = engine.query("CONSTRUCT WHERE { ?s ?p ?o }", native={"select": "json"})
    assert isinstance(general, QueryResult) and len(general.triples) == len(TRIPLES)


def test_native_formats_follow_negotiation():
    def accept(header):
        return MIMEAccept([(v.strip(), 1) for v in header.split(",")])

    assert native_formats(None, None) == {"select": "json", "ask": "json", "graph": "turtle"}
    assert native_formats(accept("text/csv"), None) == {"select": "csv"}
    assert native_formats(accept("application/ld+json"), None) == {}
    assert native_formats(None, "tsv") == {"select": "tsv"}
    assert native_formats(None, "nt") == {"graph": "nt"}


def test_json_ld_still_comes_from_rdflib(roomy):
    resp = roomy.test_client().get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/ld+json"},
    )
    assert resp.mimetype == "application/ld+json"
    assert len(Graph().parse(data=resp.data, format="json-ld")) == len(TRIPLES)


def test_json_with_link():
    body = b'{"head":{"vars":["a","b"]},"results":{"bindings":[]}}'
    assert json.loads(json_with_link(body, "http://x/l")) == {
        "head": {"vars": ["a", "b"], "link": ["http://x/l"]},
        "results": {"bindings": []},
    }
    empty = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
    assert json.loads(json_with_link(empty, "http://x/l"))["head"] == {
        "vars": [],
        "link": ["http://x/l"],
    }


def test_named_queries_reload_when_a_file_changes(tmp_path_factory):
    one = "# title: One\nSELECT ?n WHERE { BIND(1 AS ?n) }\n"
    two = "# title: Two\nSELECT ?n WHERE { BIND(2 AS ?n) }\n"
    root = _root(tmp_path_factory, {"q": one})
    with make_app(root=root, QUERIES_CHECK_INTERVAL=0) as app:
        client = app.test_client()

        def value(name):
            return client.get(f"/queries/{name}").get_json()["results"]["bindings"][0]["n"]["value"]

        assert value("q") == "1"
        path = root / "queries" / "q.rq"
        path.write_text(two)
        later = path.stat().st_mtime_ns + 2_000_000_000  # a coarse file-system clock still differs
        os.utime(path, ns=(later, later))
        assert value("q") == "2"
        (root / "queries" / "r.rq").write_text(one)
        names = [q["name"] for q in client.get("/queries").get_json()["queries"]]
        # the project's queries/ adds to the bundled named queries (Settings.query_dirs)
        bundled = {p.stem for p in Settings.from_env().queries_dir.glob("*.rq")}
        assert names == sorted(bundled | {"q", "r"})
        path.unlink()
        assert client.get("/queries/q").status_code == 404
        assert value("r") == "1"


def test_named_query_folder_looked_at_once_per_interval(tmp_path, monkeypatch):
    """Within the interval the registry answers from memory; after it, it sees the edit.
    The clock is the test's, so a slow machine cannot make the interval pass early."""
    from clusterkg.web import queries_api

    clock = [1000.0]
    monkeypatch.setattr(queries_api.time, "monotonic", lambda: clock[0])
    (tmp_path / "q.rq").write_text("# title: One\nSELECT ?n WHERE { BIND(1 AS ?n) }\n")
    registry = queries_api.QueryRegistry(tmp_path, check_interval=1.0)
    assert registry.queries()["q"].title == "One"
    (tmp_path / "q.rq").write_text("# title: Two, longer\nSELECT ?n WHERE { BIND(2 AS ?n) }\n")
    (tmp_path / "r.rq").write_text("# title: R\nSELECT ?n WHERE { BIND(3 AS ?n) }\n")
    clock[0] += 0.9
    assert registry.queries()["q"].title == "One" and "r" not in registry.queries()
    clock[0] += 0.2
    assert registry.queries()["q"].title == "Two, longer"
    assert sorted(registry.queries()) == ["q", "r"]
