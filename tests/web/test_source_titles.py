"""A source document is named by its title, the same on every page that names it (issue 15).

The expected titles are read from ``graphs/sources.ttl`` with rdflib alone, not through the
server; the hash-like ``ck:fileName`` must not stand for the document anywhere a person reads.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS

ROOT = Path(__file__).resolve().parents[2]
SOURCE = URIRef("https://w3id.org/clusterkg/id/source/six-auto-clusters")
OBS = "/id/obs/northeast-china-auto-parts-enterprises"  # the observation of "846"
CK_FILE = URIRef("https://w3id.org/clusterkg/ontology#fileName")


@pytest.fixture(scope="module")
def sources() -> Graph:
    return Graph().parse(ROOT / "graphs" / "sources.ttl")


@pytest.fixture(scope="module")
def title(sources) -> str:
    return str(sources.value(SOURCE, DCTERMS.title))


def text_of(resp) -> str:
    """The page's text with tags removed and entities decoded (what a reader sees)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", resp.get_data(as_text=True)))


def test_the_title_is_not_the_label(sources, title):
    # Otherwise the tests below could not tell the title from the short label.
    assert title and title != str(sources.value(SOURCE, RDFS.label))


def test_where_number_from_names_the_title(client, sources, title):
    page = client.get("/queries/where-number-from?value=846", headers={"Accept": "text/html"})
    assert page.status_code == 200
    seen = text_of(page)
    assert title in seen
    assert str(sources.value(SOURCE, CK_FILE)) not in seen
    rows = client.get("/queries/where-number-from?value=846&format=json").get_json()
    (row,) = rows["results"]["bindings"]
    assert row["source"]["value"] == title
    assert row["document"]["value"] == str(SOURCE)


def test_every_page_that_names_the_source_shows_its_title(client, sources, title):
    label = str(sources.value(SOURCE, RDFS.label))
    pages = {
        "home": "/",
        "observation": OBS,
        "source": "/id/source/six-auto-clusters",
    }
    for name, path in pages.items():
        resp = client.get(path, headers={"Accept": "text/html"})
        assert resp.status_code == 200, name
        seen = text_of(resp)
        assert title in seen, name
        # The short label is not shown in its place (the source page lists it as a property).
        if name != "source":
            assert label not in seen, name
    panel = client.get("/api/node", query_string={"iri": "https://w3id.org/clusterkg" + OBS})
    assert {q["title"] for q in panel.get_json()["quotes"]} == {title}
    cluster = "https://w3id.org/clusterkg/id/cluster/northeast-china-auto"
    related = client.get("/api/node", query_string={"iri": cluster}).get_json()["related"]
    from_source = [q for q in related if q["source"] == str(SOURCE)]
    assert from_source and {q["title"] for q in from_source} == {title}


@pytest.mark.parametrize(
    "name",
    ["where-number-from", "deepest-parts-base", "indicator-across-areas", "supply-links"],
)
def test_named_queries_name_sources_by_title(client, sources, name):
    titles = {str(t) for t in sources.objects(None, DCTERMS.title)}
    labels = {str(t) for t in sources.objects(None, RDFS.label)} - titles
    resp = client.get(f"/queries/{name}", query_string={"format": "json"})
    assert resp.status_code == 200
    shown = {row["source"]["value"] for row in resp.get_json()["results"]["bindings"]}
    assert shown and shown <= titles, shown - titles
    assert not shown & labels
