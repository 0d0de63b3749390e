"""Exports: RDF round trips, GraphML/GEXF that networkx opens with attributes, safe CSV."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from clusterkg.config import Settings
from clusterkg.io.csv_import import import_csv
from clusterkg.io.export import ExportError, export
from clusterkg.io.network import neutralise
from clusterkg.store.kg import open_kg

DATA = Path(__file__).parent / "data"
CELL = "https://w3id.org/clusterkg/id/enterprise/example-cell-co"
CHANGAN = "https://w3id.org/clusterkg/id/enterprise/changan-automobile"


@pytest.fixture()
def kg(settings, tmp_path):
    """The fixture graph plus an analytics graph with two betweenness scores."""
    shutil.copy(DATA / "analytics.ttl", tmp_path / "analytics.ttl")
    graph = open_kg(settings, extra=[tmp_path / "analytics.ttl"])
    yield graph
    graph.close()


def test_turtle_round_trip_is_isomorphic(kg, settings, tmp_path):
    out = tmp_path / "base.ttl"
    export(kg, "turtle", out, graph="base")
    original = Graph().parse(DATA / "graphs" / "base.ttl")
    assert isomorphic(Graph().parse(out), original)
    # Re-import: load the export into a fresh store and export again.
    again = open_kg(Settings.from_env(root=settings.root, load_bundled=False), extra=[out])
    out2 = tmp_path / "again.ttl"
    export(again, "turtle", out2, graph="base")
    again.close()
    assert isomorphic(Graph().parse(out2), original)


def test_csv_import_round_trips_through_turtle(settings, tmp_path, write_csv):
    f = write_csv(tmp_path / "e.csv", "name_en,name_zh,region\nRound Trip Co,往返公司,Chengdu\n")
    target = tmp_path / "imported.ttl"
    result = import_csv(f, "enterprises", settings, into=target)
    kg = open_kg(Settings.from_env(root=settings.root, load_bundled=False), extra=[target])
    out = tmp_path / "out.ttl"
    export(kg, "turtle", out, graph="imported")
    kg.close()
    assert isomorphic(Graph().parse(out), result.graph)


def test_jsonld_uses_the_published_context_and_keeps_the_triples(kg, tmp_path):
    out = tmp_path / "base.jsonld"
    export(kg, "jsonld", out, graph="base")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["@context"]["ck"] == "https://w3id.org/clusterkg/ontology#"
    assert isomorphic(
        Graph().parse(out, format="json-ld"), Graph().parse(DATA / "graphs" / "base.ttl")
    )


def test_trig_and_nquads_keep_graph_names(kg, tmp_path):
    for fmt, suffix in (("trig", "trig"), ("nquads", "nq")):
        out = tmp_path / f"all.{suffix}"
        export(kg, fmt, out)
        ds = Dataset()
        ds.parse(out, format=fmt)
        names = {str(g.identifier) for g in ds.graphs()}
        assert "https://w3id.org/clusterkg/graph/base" in names
        assert "https://w3id.org/clusterkg/graph/analytics" in names
        base = ds.graph("https://w3id.org/clusterkg/graph/base")
        assert isomorphic(Graph() + base, Graph().parse(DATA / "graphs" / "base.ttl"))


def test_graphml_opens_in_networkx_with_attributes(kg, tmp_path):
    out = tmp_path / "g.graphml"
    export(kg, "graphml", out)
    g = nx.read_graphml(out)
    cell = g.nodes[CELL]
    assert cell["label"] == "Example Cell Co."
    assert cell["class"] == "ck:BatteryMaker"
    assert cell["cluster"] == "Chengdu-Chongqing automobile industry cluster"
    # Example Cell Co. has no coordinates of its own: those of Chengdu, where it is located.
    assert (cell["lat"], cell["long"]) == (30.66, 104.07)
    assert cell["betweenness_centrality"] == 0.25
    assert g.nodes[CHANGAN]["betweenness_centrality"] == 0.5
    assert (g.nodes[CHANGAN]["lat"], g.nodes[CHANGAN]["long"]) == (29.6, 106.5)
    assert g.nodes["https://w3id.org/clusterkg/id/region/chengdu"]["label_zh"] == "成都"
    supply = [d for _s, _t, d in g.edges(CELL, data=True) if d["relation"] == "ck:SupplyLink"]
    assert len(supply) == 1 and supply[0]["annual_value_cny"] == 1e9
    assert supply[0]["item"] == "power battery"
    # Fact records are edges or attributes, not nodes.
    assert (
        "https://w3id.org/clusterkg/id/supply/example-cell-co-to-changan-automobile-power-battery"
        not in g
    )


def test_gexf_opens_in_networkx_with_viz(kg, tmp_path):
    out = tmp_path / "g.gexf"
    export(kg, "gexf", out)
    g = nx.read_gexf(out)
    cell = g.nodes[CELL]
    assert cell["label"] == "Example Cell Co." and cell["class"] == "ck:BatteryMaker"
    assert cell["betweenness_centrality"] == 0.25
    assert cell["viz"]["position"]["x"] == pytest.approx(1040.7)
    assert cell["viz"]["position"]["y"] == pytest.approx(306.6)
    assert set(cell["viz"]["color"]) >= {"r", "g", "b"}
    # Same class, same colour.
    twin_a = g.nodes["https://w3id.org/clusterkg/id/enterprise/example-twin-a"]["viz"]["color"]
    twin_b = g.nodes["https://w3id.org/clusterkg/id/enterprise/example-twin-b"]["viz"]["color"]
    assert twin_a == twin_b


def test_csv_export_is_nodes_and_edges_and_neutralises_formulas(settings, tmp_path):
    evil = tmp_path / "evil.ttl"
    evil.write_text(
        "<https://w3id.org/clusterkg/id/enterprise/evil> a "
        "<https://w3id.org/clusterkg/ontology#Enterprise> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> \"=cmd|' /C calc'!A0\"@en .\n",
        encoding="utf-8",
    )
    kg = open_kg(settings, extra=[evil])
    out = tmp_path / "csv"
    export(kg, "csv", out)
    kg.close()
    nodes = {r["id"]: r for r in csv.DictReader((out / "nodes.csv").open(encoding="utf-8"))}
    assert nodes["https://w3id.org/clusterkg/id/enterprise/evil"]["label"] == "'=cmd|' /C calc'!A0"
    assert nodes[CELL]["lat"] == "30.66"
    edges = list(csv.DictReader((out / "edges.csv").open(encoding="utf-8")))
    assert {"source": CELL, "target": CHANGAN, "relation": "ck:SupplyLink"}.items() <= next(
        e for e in edges if e["relation"] == "ck:SupplyLink"
    ).items()


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("@x", "'@x"),
        ("-x", "'-x"),
        ("\tx", "'\tx"),
        ("-3.5", "-3.5"),
        ("Example Cell Co.", "Example Cell Co."),
        (None, ""),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_query_export_and_errors(kg, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text(
        "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t FILTER(?t = "
        "<https://w3id.org/clusterkg/ontology#BatteryMaker>) }",
        encoding="utf-8",
    )
    out = tmp_path / "q.ttl"
    export(kg, "turtle", out, query_file=q)
    assert len(Graph().parse(out)) == 1
    sel = tmp_path / "s.rq"
    sel.write_text(
        "SELECT ?s WHERE { ?s a <https://w3id.org/clusterkg/ontology#BatteryMaker> }",
        encoding="utf-8",
    )
    export(kg, "csv", tmp_path / "s.csv", query_file=sel)
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines() == ["s", CELL]
    with pytest.raises(ExportError, match="CONSTRUCT"):
        export(kg, "turtle", tmp_path / "x.ttl", query_file=sel)
    with pytest.raises(ExportError, match="no graph"):
        export(kg, "turtle", tmp_path / "x.ttl", graph="nope")
    assert not (tmp_path / "x.ttl").exists()
