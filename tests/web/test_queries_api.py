"""/queries: named queries listed and run with safely bound parameters."""

from __future__ import annotations

import io
import json

import pytest
from rdflib import URIRef
from rdflib.namespace import RDFS
from rdflib.query import Result

from clusterkg.config import Settings
from tests.web.conftest import make_app

LABEL_QUERY = """# title: Label of a resource
# description: The English labels of one resource.
# param: resource | iri | the resource
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?resource ?label WHERE { ?resource rdfs:label ?label } ORDER BY ?label
"""
BY_LABEL = """# title: Resources by label
# description: Every resource whose label is exactly the given text.
# param: text | string | the label
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?text ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?text) }
"""
CLUSTER = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"


@pytest.fixture(scope="module")
def qapp(tmp_path_factory):
    """An app whose queries/ folder holds two test queries; data as bundled."""
    real = Settings.from_env()
    root = tmp_path_factory.mktemp("root")
    (root / "ontology").symlink_to(real.ontology_dir)
    (root / "graphs").symlink_to(real.graphs_dir)
    (root / "queries").mkdir()
    (root / "queries" / "label-of.rq").write_text(LABEL_QUERY)
    (root / "queries" / "by-label.rq").write_text(BY_LABEL)
    with make_app(root=root) as app:
        yield app


def test_listing_json_and_html(qapp):
    client = qapp.test_client()
    doc = client.get("/queries", headers={"Accept": "application/json"}).get_json()
    names = [q["name"] for q in doc["queries"]]
    # A project's queries/ adds to the bundled named queries (Settings.query_dirs).
    bundled = {p.stem for p in Settings.from_env().queries_dir.glob("*.rq")}
    assert names == sorted(bundled | {"by-label", "label-of"})
    label_of = doc["queries"][names.index("label-of")]
    assert label_of["title"] == "Label of a resource"
    assert label_of["parameters"][0]["name"] == "resource"
    page = client.get("/queries", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and b"Label of a resource" in page.data


def test_run_with_parameter(qapp, reference):
    client = qapp.test_client()
    resp = client.get("/queries/label-of", query_string={"resource": CLUSTER})
    assert resp.status_code == 200
    rows = Result.parse(io.BytesIO(resp.data), format="json")
    want = sorted({str(o) for o in reference.objects(URIRef(CLUSTER), RDFS.label)})
    assert [str(r[1]) for r in rows] == want
    csv = client.get("/queries/label-of", query_string={"resource": CLUSTER, "format": "csv"})
    assert csv.mimetype == "text/csv"


def test_injection_stays_a_literal(qapp):
    client = qapp.test_client()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = client.get("/sparql", query_string={"query": count}).get_json()
    for evil in ['"} ; DROP ALL ; #', "x' } } ; CLEAR ALL ; #", '"} UNION { ?s ?p ?o } #']:
        resp = client.get("/queries/by-label", query_string={"text": evil})
        assert resp.status_code == 200
        rows = json.loads(resp.data)["results"]["bindings"]
        assert rows == []  # no resource has that label, and nothing else was matched
    after = client.get("/sparql", query_string={"query": count}).get_json()
    assert after == before


def test_errors(qapp):
    client = qapp.test_client()
    assert client.get("/queries/nope").status_code == 404
    missing = client.get("/queries/label-of")
    assert missing.status_code == 400 and b"resource" in missing.data
    unknown = client.get("/queries/label-of", query_string={"resource": CLUSTER, "x": "1"})
    assert unknown.status_code == 400
    bad_iri = client.get("/queries/label-of", query_string={"resource": "not an iri"})
    assert bad_iri.status_code == 400
