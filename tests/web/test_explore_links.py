"""Linked-data pages link onwards: a cluster's /id page to its dashboard and views, a firm's
to the explorer, the map, its suppliers and customers and its failure scenario, a region's to
its failure scenario; each only when the curated data gives that page something to show.

Which firms have suppliers or customers is read with plain rdflib from ``graphs/*.ttl``.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path
from urllib.parse import urlencode

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/clusterkg/id/"
CK = "https://w3id.org/clusterkg/ontology#"
CHANGAN = ID + "enterprise/changan-automobile"
YIBIN = ID + "region/yibin"
CC = ID + "cluster/chengdu-chongqing-auto"


def _curated() -> Graph:
    g = Graph()
    for p in sorted((ROOT / "graphs").glob("*.ttl")):
        g.parse(p, format="turtle")
    return g


def _explore(client, path: str) -> list[str]:
    page = client.get(path).get_data(as_text=True)
    m = re.search(r'<nav aria-labelledby="h-explore".*?</nav>', page, re.S)
    return [htmllib.unescape(h) for h in re.findall(r'href="([^"]+)"', m.group(0))] if m else []


def _links_of(g: Graph, role: str, firm: str) -> list:
    return [
        link
        for link in g.subjects(URIRef(CK + role), URIRef(firm))
        if (link, RDF.type, URIRef(CK + "SupplyLink")) in g
    ]


def test_a_cluster_links_to_its_dashboard_and_views(client):
    links = _explore(client, "/id/cluster/chengdu-chongqing-auto")
    assert "/clusters/chengdu-chongqing-auto" in links
    assert "/graph?" + urlencode({"view": "cluster", "cluster": CC}) in links
    assert client.get("/clusters/chengdu-chongqing-auto").status_code == 200


def test_a_firm_links_to_explorer_map_suppliers_customers_and_scenario(client):
    g = _curated()
    assert _links_of(g, "customer", CHANGAN) and _links_of(g, "supplier", CHANGAN)
    links = _explore(client, "/id/enterprise/changan-automobile")
    assert "/queries/enterprise-suppliers?" + urlencode({"customer": CHANGAN}) in links
    assert "/queries/enterprise-customers?" + urlencode({"supplier": CHANGAN}) in links
    assert "/graph?" + urlencode({"view": "map", "node": CHANGAN, "sel": CHANGAN}) in links
    assert "/graph?" + urlencode({"view": "map", "fail": CHANGAN, "sel": CHANGAN}) in links
    assert any(h.startswith("/graph?view=neighbourhood&") for h in links)
    for href in links:
        assert client.get(href).status_code == 200, href


def test_a_firm_without_suppliers_gets_no_suppliers_link(client):
    g = _curated()
    catl = ID + "enterprise/catl"
    groups = list(g.subjects(URIRef(CK + "includesMember"), URIRef(catl)))
    assert not _links_of(g, "customer", catl)
    assert not any(_links_of(g, "customer", str(gr)) for gr in groups)
    links = _explore(client, "/id/enterprise/catl")
    assert not any("enterprise-suppliers" in h for h in links)


def test_a_region_links_to_its_failure_scenario(client):
    g = _curated()
    # The CATL Yibin base is located in Yibin (chengdu-chongqing-supply.ttl and others).
    assert any(True for _ in g.subjects(URIRef(CK + "locatedIn"), URIRef(YIBIN)))
    links = _explore(client, "/id/region/yibin")
    assert "/graph?" + urlencode({"view": "map", "failregion": YIBIN}) in links
    assert "/queries/enterprises-in-region?" + urlencode({"region": YIBIN}) in links


def test_an_observation_has_no_explore_list(client):
    assert _explore(client, "/id/obs/northeast-china-auto-parts-enterprises") == []
