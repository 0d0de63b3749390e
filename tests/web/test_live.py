"""Real clients against a live waitress server on an ephemeral loopback port."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

CK = "https://w3id.org/clusterkg/ontology#"
LABELS = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?c ?label WHERE {{ ?c a <{CK}IndustrialCluster> ; rdfs:label ?label }}
ORDER BY ?c ?label"""


def expected_labels(reference) -> list[tuple[str, str]]:
    return [(str(r.c), str(r.label)) for r in reference.query(LABELS)]


def test_sparqlwrapper(live_url, reference):
    sparql = SPARQLWrapper(f"{live_url}/sparql")
    sparql.setQuery(LABELS)
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]
    assert [(r["c"]["value"], r["label"]["value"]) for r in rows] == expected_labels(reference)
    sparql.setReturnFormat(XML)
    doc = sparql.query().convert()
    assert len(doc.getElementsByTagName("result")) == len(rows)
    sparql.setReturnFormat(CSV)
    assert sparql.query().convert().decode().count("\r\n") == len(rows) + 1
    sparql.setMethod("POST")
    sparql.setQuery(
        f"CONSTRUCT {{ ?c a <{CK}IndustrialCluster> }} WHERE {{ ?c a <{CK}IndustrialCluster> }}"
    )
    sparql.setReturnFormat(TURTLE)
    g = Graph().parse(data=sparql.query().convert(), format="turtle")
    assert len(g) == len({c for c, _ in expected_labels(reference)})


def test_rdflib_sparqlstore_as_remote_graph(live_url, reference):
    remote = Graph(store=SPARQLStore(f"{live_url}/sparql", returnFormat="json"))
    got = [(str(r.c), str(r.label)) for r in remote.query(LABELS)]
    assert got == expected_labels(reference)
    cluster = URIRef("https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto")
    assert (cluster, None, None) in remote
    assert set(
        remote.objects(cluster, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    ) == set(reference.objects(cluster, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_plain_http_per_accept(live_url, reference, accept, fmt):
    resp = requests.get(
        f"{live_url}/sparql", params={"query": LABELS}, headers={"Accept": accept}, timeout=10
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(accept)
    parsed = Result.parse(io.BytesIO(resp.content), format=fmt)
    assert [(str(r[0]), str(r[1])) for r in parsed] == expected_labels(reference)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_linked_data_over_http(live_url, reference, accept, fmt):
    iri = URIRef("https://w3id.org/clusterkg/id/enterprise/changan-automobile")
    resp = requests.get(
        f"{live_url}/id/enterprise/changan-automobile", headers={"Accept": accept}, timeout=10
    )
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(accept)
    got = Graph().parse(data=resp.content, format=fmt)
    assert set(got.triples((iri, None, None))) == set(reference.triples((iri, None, None)))


def test_twenty_parallel_clients(live_url, reference):
    clusters = sorted({c for c, _ in expected_labels(reference)})
    count = """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { <%s> ?p ?o }"""
    expected = {c: len(set(reference.predicates(URIRef(c), None))) for c in clusters}

    def client(i: int) -> list[bool]:
        ok = []
        with requests.Session() as s:
            for j in range(5):
                c = clusters[(i * 5 + j) % len(clusters)]
                r = s.post(f"{live_url}/sparql", data={"query": count % c}, timeout=30)
                ok.append(int(r.json()["results"]["bindings"][0]["n"]["value"]) == expected[c])
        return ok

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(client, range(20)))
    assert all(all(r) for r in results) and sum(len(r) for r in results) == 100
