"""The map view (/graph?view=map): nodes without coordinates are listed apart and drawn in a
labelled strip, and a preselected node (``sel=``) is marked with its suppliers and customers.

Expected values come from the curated Turtle (plain rdflib over graphs/*.ttl): Changan's
supply links (ck:customer / ck:supplier) and where each firm of a supply link is placed (its own
wgs84:lat, else that of the region it is ck:locatedIn, as the projection places nodes).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from tests.browser.conftest import CSP_LISTENER

ROOT = Path(__file__).resolve().parents[2]
CK = Namespace("https://w3id.org/clusterkg/ontology#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
CHANGAN = URIRef("https://w3id.org/clusterkg/id/enterprise/changan-automobile")


@pytest.fixture(scope="module")
def curated() -> Graph:
    g = Graph()
    for p in sorted((ROOT / "graphs").glob("*.ttl")):
        g.parse(p, format="turtle")
    return g


def _label(g: Graph, n) -> str:
    labels = list(g.objects(n, RDFS.label))
    en = [str(x) for x in labels if getattr(x, "language", None) == "en"]
    plain = [str(x) for x in labels if getattr(x, "language", None) is None]
    return min(en or plain or [str(x) for x in labels])


def _located(g: Graph, n) -> bool:
    if g.value(n, WGS.lat) is not None:
        return True
    regions = sorted(g.objects(n, CK.locatedIn)) or sorted(
        r for op in g.objects(n, CK.operatedBy) for r in g.objects(op, CK.locatedIn)
    )
    return bool(regions) and g.value(regions[0], WGS.lat) is not None


def _partners(g: Graph, role: str, other: str) -> set:
    return {
        g.value(link, CK[other])
        for link in g.subjects(CK[role], CHANGAN)
        if (link, RDF.type, CK.SupplyLink) in g
    }


@pytest.mark.browser
def test_the_selected_node_and_its_suppliers_are_marked(watched, live_site, curated):
    page = watched.page
    page.add_init_script(CSP_LISTENER)
    q = urlencode({"view": "map", "node": str(CHANGAN), "sel": str(CHANGAN)})
    page.goto(f"{live_site}/graph?{q}")
    page.locator("#graph-svg .node.selected").wait_for()
    suppliers = _partners(curated, "customer", "supplier")
    customers = _partners(curated, "supplier", "customer")
    assert suppliers and customers
    ids = lambda sel: set(page.locator(sel).evaluate_all("els => els.map(e => e.dataset.id)"))  # noqa: E731
    assert ids("#graph-svg .node.selected") == {str(CHANGAN)}
    assert ids("#graph-svg .node.supplier") == {str(s) for s in suppliers}
    assert ids("#graph-svg .node.customer") == {str(c) for c in customers}
    note = page.locator("#sel-note").inner_text()
    assert note.startswith(f"Selected: {_label(curated, CHANGAN)} is ringed in black")
    assert f"its {len(suppliers)} supplier" in note.split(" in red")[0]
    assert page.locator("#graph-svg line.edge.sel-edge").count() == len(suppliers) + len(customers)
    assert watched.errors == [] and page.evaluate("window.__csp") == []
    assert watched.foreign() == []


@pytest.mark.browser
def test_nodes_without_coordinates_are_listed_apart(watched, live_site, curated):
    page = watched.page
    page.add_init_script(CSP_LISTENER)
    q = urlencode({"view": "map", "node": str(CHANGAN), "sel": str(CHANGAN)})
    page.goto(f"{live_site}/graph?{q}")
    page.locator("#graph-svg .node").first.wait_for()
    # Every firm of a supply link is on the map (the curated supply network).
    firms = {
        f
        for link in curated.subjects(RDF.type, CK.SupplyLink)
        for f in (curated.value(link, CK.supplier), curated.value(link, CK.customer))
    }
    off = {_label(curated, s) for s in firms if not _located(curated, s)}
    on = {_label(curated, s) for s in firms if _located(curated, s)}
    assert off and on
    listed = page.locator("#map-unlocated")
    listed.wait_for()
    assert listed.locator("p").inner_text().startswith("Not located in the sources")
    names = set(listed.locator("li").all_inner_texts())
    assert off <= names and not (on & names)
    strip = page.locator("#graph-svg .unlocated-strip .strip-label")
    assert strip.text_content().startswith("Not located in the sources")
    # Their links are drawn apart (dashed), not as lines from the mainland into the sea.
    pairs = {
        (curated.value(link, CK.supplier), curated.value(link, CK.customer))
        for link in curated.subjects(RDF.type, CK.SupplyLink)
    }
    apart = {p for p in pairs if not (_located(curated, p[0]) and _located(curated, p[1]))}
    assert page.locator("#graph-svg line.edge.to-unlocated").count() == len(apart)
    assert watched.errors == [] and page.evaluate("window.__csp") == []
