"""/ontology (pyLODE HTML, Turtle by Accept), /context.jsonld, and the docs cache."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph
from rdflib.compare import isomorphic

from clusterkg.io.jsonld_context import jsonld_context
from clusterkg.io.ontology_docs import cache_dir, ontology_file, ontology_html, with_landmarks
from clusterkg.vocab import PREFIXES


def test_ontology_page_is_html_for_browsers(client):
    res = client.get("/ontology", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert res.status_code == 200 and res.mimetype == "text/html"
    body = res.get_data(as_text=True)
    assert "Industrial cluster" in body and "Supply link" in body
    assert "cdn" not in body.lower()


def test_ontology_as_turtle_by_accept(client, app):
    res = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert res.status_code == 200 and res.mimetype == "text/turtle"
    assert res.headers["Vary"] == "Accept"
    source = ontology_file(app.extensions["clusterkg"].settings)
    assert isomorphic(Graph().parse(data=res.get_data(), format="turtle"), Graph().parse(source))


def test_context_jsonld(client):
    res = client.get("/context.jsonld")
    assert res.status_code == 200 and res.mimetype == "application/ld+json"
    ctx = json.loads(res.get_data())["@context"]
    assert {k: ctx[k] for k in PREFIXES} == PREFIXES
    assert ctx == jsonld_context()["@context"]


def test_docs_are_cached_by_hash_and_rebuilt_on_change(settings, env, tmp_path):
    root = settings.root
    (root / "ontology").unlink()  # a private copy of the ontology we can edit
    (root / "ontology").mkdir()
    real = Path(__file__).resolve().parents[2] / "ontology" / "clusterkg.ttl"
    (root / "ontology" / "clusterkg.ttl").write_bytes(real.read_bytes())
    first = ontology_html(settings)
    pages = sorted(cache_dir().glob("*.html"))
    # The cached file is pyLODE's page; it is served with the language and landmarks added.
    assert len(pages) == 1 and with_landmarks(pages[0].read_text(encoding="utf-8")) == first
    assert ontology_html(settings) == first  # unchanged ontology: the cached page
    text = real.read_text(encoding="utf-8").replace(
        '"Industrial cluster"@en', '"Industrial agglomeration"@en'
    )
    (root / "ontology" / "clusterkg.ttl").write_text(text, encoding="utf-8")
    second = ontology_html(settings)
    assert "Industrial agglomeration" in second and "Industrial agglomeration" not in first
    assert len(list(cache_dir().glob("*.html"))) == 2
