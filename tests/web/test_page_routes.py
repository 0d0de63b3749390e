"""The explorer's JSON routes and the pages, through Flask's test client on the bundled graph.

Expected values are read from the curated Turtle by hand: the Northeast cluster has 20 vehicle
and 846 parts enterprises (six-auto-clusters); "build your dreams" is an alias of BYD;
Changan Automobile is a member of the Chengdu-Chongqing cluster; Dongfeng Sokon's only stated
supplier is its 37 support enterprises in Sichuan.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from rdflib import Graph, URIRef

ID = "https://w3id.org/clusterkg/id/"
CC = ID + "cluster/chengdu-chongqing-auto"
CHANGAN = ID + "enterprise/changan-automobile"
SOKON = ID + "enterprise/dongfeng-sokon"
SOKON_GROUP = ID + "group/dongfeng-sokon-sichuan-support-enterprises"


def test_overview_is_the_six_clusters_and_their_vehicle_makers(client):
    d = client.get("/api/graph").get_json()
    clusters = {n["id"] for n in d["nodes"] if n["kind"] == "IndustrialCluster"}
    assert len(clusters) == 6 and CC in clusters
    assert {n["kind"] for n in d["nodes"]} == {"IndustrialCluster", "VehicleManufacturer"}
    assert CHANGAN in {n["id"] for n in d["nodes"]}
    for n in d["nodes"]:
        assert 0 <= n["x"] <= 1 and 0 <= n["y"] <= 1


@pytest.mark.parametrize("layout", ["force", "geo", "tiered"])
def test_cluster_view_contains_changan_in_every_layout(client, layout):
    d = client.get("/api/graph", query_string={"cluster": CC, "layout": layout}).get_json()
    assert d["view"] == "cluster" and d["layout"] == layout
    ids = {n["id"] for n in d["nodes"]}
    assert CC in ids and CHANGAN in ids
    for e in d["edges"]:
        assert e["source"] in ids and e["target"] in ids


def test_geo_layout_puts_chongqing_east_of_chengdu(client):
    # Chongqing lies at about 106.5 E, Chengdu at about 104.1 E: east is right.
    d = client.get("/api/graph", query_string={"cluster": CC, "layout": "geo"}).get_json()
    by = {n["id"]: n for n in d["nodes"]}
    assert by[CHANGAN]["x"] > by[ID + "site/faw-volkswagen-chengdu"]["x"]


def test_tiered_layout_puts_suppliers_left_of_their_customer(client):
    d = client.get("/api/graph", query_string={"view": "supply", "layout": "tiered"}).get_json()
    by = {n["id"]: n for n in d["nodes"]}
    assert by[SOKON_GROUP]["x"] < by[SOKON]["x"]
    assert d["directed"] is True


def test_neighbourhood_grows_with_hops(client):
    sizes = [
        len(client.get("/api/graph", query_string={"node": CHANGAN, "hops": h}).get_json()["nodes"])
        for h in (1, 2)
    ]
    assert 1 < sizes[0] < sizes[1]


def _error(client, path: str, **query) -> tuple[int, str]:
    r = client.get(path, query_string=query, headers={"Accept": "application/json"})
    return r.status_code, r.get_json()["error"]


def test_bad_view_parameters_are_clear_errors(client):
    status, message = _error(client, "/api/graph", layout="circle")
    assert status == 400 and "force, geo, tiered" in message
    status, message = _error(client, "/api/graph", node=CHANGAN, hops=7)
    assert status == 400 and "hops" in message
    assert _error(client, "/api/graph", cluster=ID + "cluster/nowhere")[0] == 404


def test_search_finds_byd_by_alias_and_changan_by_prefix(client):
    hits = client.get("/api/search", query_string={"q": "build your dreams"}).get_json()["hits"]
    assert hits[0]["iri"] == ID + "enterprise/byd" and hits[0]["alias"] is True
    hits = client.get("/api/search", query_string={"q": "chang"}).get_json()["hits"]
    assert CHANGAN in [h["iri"] for h in hits]
    assert client.get("/api/search", query_string={"q": "  "}).get_json()["hits"] == []


def test_node_detail_has_verbatim_quotes_with_their_source(client):
    d = client.get("/api/node", query_string={"iri": CHANGAN}).get_json()
    assert d["label"] == "Changan Automobile"
    quotes = {q["quote"]: q for q in d["quotes"]}
    q = quotes["electric motor enterprises such as Changan and Seres"]
    assert q["source"] == ID + "source/chengdu-chongqing-digital-transformation"
    assert {"property": "skos:altLabel", "value": "Changan Auto"} in d["facts"]
    assert any(x["property"] == "ck:memberOf" and x["iri"] == CC for x in d["links"])


def test_node_detail_errors(client):
    assert _error(client, "/api/node", iri="not an iri")[0] == 400
    assert _error(client, "/api/node", iri=ID + "enterprise/none")[0] == 404


def test_scenario_removing_sokons_suppliers_affects_sokon(client):
    r = client.post("/api/graph/scenario", json={"remove": [SOKON_GROUP]})
    d = r.get_json()
    assert r.status_code == 200
    assert SOKON_GROUP in d["failed"]
    assert [a["oem"] for a in d["affected_oems"]] == [SOKON]
    assert d["lost_value_cny"] == 1_300_000_000  # "1.3 billion yuan" of the source


def test_scenario_bad_input(client):
    r = client.post("/api/graph/scenario", data="x", headers={"Accept": "application/json"})
    assert r.status_code == 400
    r = client.post(
        "/api/graph/scenario", json={"remove": [CC]}, headers={"Accept": "application/json"}
    )
    assert r.status_code == 400 and "supply network" in r.get_json()["error"]


def test_exports_of_the_cluster_view(client):
    q = {"cluster": CC}
    ml = client.get("/api/graph/export", query_string={**q, "format": "graphml"})
    G = nx.parse_graphml(ml.data.decode())
    assert CHANGAN in G and G.nodes[CHANGAN]["label"] == "Changan Automobile"
    gexf = client.get("/api/graph/export", query_string={**q, "format": "gexf"})
    assert ET.fromstring(gexf.data).tag.endswith("gexf")
    ld = client.get("/api/graph/export", query_string={**q, "format": "jsonld"})
    g = Graph().parse(data=ld.data, format="json-ld")
    assert (
        URIRef(CHANGAN),
        URIRef("https://w3id.org/clusterkg/ontology#memberOf"),
        URIRef(CC),
    ) in g
    bad = client.get(
        "/api/graph/export", query_string={"format": "pdf"}, headers={"Accept": "application/json"}
    )
    assert bad.status_code == 400


def test_clusters_page_has_six_rows_with_846(client):
    html = client.get("/clusters").get_data(as_text=True)
    assert html.count('<tr><th scope="row">') == 6
    assert ">846</a>" in html and 'href="/id/obs/northeast-china-auto-parts-enterprises"' in html


def test_cluster_page_and_unknown_cluster(client):
    html = client.get("/clusters/chengdu-chongqing-auto").get_data(as_text=True)
    assert "Changan Automobile" in html and "R-index" in html
    assert client.get("/clusters/atlantis").status_code == 404


def test_home_examples_use_the_servers_url(client):
    html = client.get("/", base_url="http://example.test:8123").get_data(as_text=True)
    assert 'SPARQLWrapper("http://example.test:8123/sparql")' in html
    assert "http://example.test:8123/sparql</code>" in html


def test_query_page_lists_named_queries(client):
    html = client.get("/query").get_data(as_text=True)
    data = html.split('<script id="named-data" type="application/json">', 1)[1].split("</script>")[
        0
    ]
    names = {q["name"] for q in json.loads(data)}
    assert "compare-auto-clusters" in names
