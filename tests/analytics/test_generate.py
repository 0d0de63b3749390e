"""The calibrated synthetic network: calibration, markers, SHACL shape, reproducibility."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Dataset, Graph, URIRef

from clusterkg.analytics.generate import Parameters, generate
from clusterkg.analytics.projection import supply_network
from clusterkg.config import Settings
from clusterkg.store.kg import open_kg
from clusterkg.vocab import CK, ID, SYNTHETIC_GRAPH

SHAPES = Path(__file__).resolve().parents[2] / "ontology" / "shapes-synthetic.ttl"

# The six clusters' counts as source 000 states them (graphs/auto-clusters.ttl).
SOURCE_COUNTS = {  # cluster: (vehicle enterprises, parts enterprises)
    "yangtze-river-delta-auto": (61, 5849),
    "northeast-china-auto": (20, 846),
    "middle-yangtze-auto": (53, 2346),
    "beijing-tianjin-hebei-auto": (52, 1178),
    "pearl-river-delta-auto": (28, 1275),
    "chengdu-chongqing-auto": (45, 1398),
}


@pytest.fixture(scope="module")
def full(kg):
    text, summary = generate(kg, Parameters(seed=11, scale=1.0))
    return text, summary


def test_same_seed_same_bytes_other_seed_other_graph(kg, full):
    text, _ = full
    again, _ = generate(kg, Parameters(seed=11, scale=1.0))
    assert hashlib.sha256(again.encode()).digest() == hashlib.sha256(text.encode()).digest()
    other, _ = generate(kg, Parameters(seed=12, scale=1.0))
    assert other != text


def test_calibrated_to_the_sources_counts(full):
    text, _ = full
    store = open_kg(Settings.from_env(store="memory", load_bundled=False))
    store.backend.load_data(text.encode(), "trig", None)
    rows = store.query(
        """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
        SELECT ?c (SUM(IF(?t = 0, 1, 0)) AS ?oems) (SUM(IF(?t > 0, 1, 0)) AS ?parts)
        WHERE { GRAPH <https://w3id.org/clusterkg/graph/synthetic> {
            ?f a ck:SyntheticEntity ; ck:tier ?t ; ck:memberOf ?c } } GROUP BY ?c""",
        row_limit=None,
    ).records()
    got = {r["c"].rsplit("/", 1)[-1]: (int(r["oems"]), int(r["parts"])) for r in rows}
    assert set(got) == set(SOURCE_COUNTS)
    total_v = sum(v for v, _ in SOURCE_COUNTS.values())
    total_p = sum(p for _, p in SOURCE_COUNTS.values())
    assert (total_v, total_p) == (259, 12892)
    gen_v = sum(v for v, _ in got.values())
    gen_p = sum(p for _, p in got.values())
    for c, (v, p) in SOURCE_COUNTS.items():
        assert abs(got[c][0] / gen_v - v / total_v) <= 0.01, c
        assert abs(got[c][1] / gen_p - p / total_p) <= 0.01, c
    store.close()


def test_every_node_marked_and_linked_to_its_run(kg):
    text, summary = generate(kg, Parameters(seed=11, scale=0.05))
    ds = Dataset()
    ds.parse(data=text, format="trig")
    g = ds.graph(SYNTHETIC_GRAPH)
    run = URIRef(summary["run"])
    assert (run, None, None) in g
    params = str(g.value(run, CK.parameters))
    assert '"seed": 11' in params and '"scale": 0.05' in params and '"generator"' in params
    subjects = {s for s in g.subjects() if s != run}
    marked = set(g.subjects(predicate=None, object=CK.SyntheticEntity))
    assert subjects == marked
    assert all(g.value(s, CK.analysisRun) == run for s in subjects)
    assert len(list(g.subjects(object=CK.SupplyLink))) == summary["links"]
    # never merged silently: nothing outside the synthetic graph
    assert {c.identifier for c in ds.graphs() if len(c)} == {SYNTHETIC_GRAPH}


def test_shacl_shape_enforces_the_marker(kg):
    text, summary = generate(kg, Parameters(seed=3, scale=0.02))
    data = Graph()
    ds = Dataset()
    ds.parse(data=text, format="trig")
    for t in ds.graph(SYNTHETIC_GRAPH):
        data.add(t)
    shapes = Graph().parse(SHAPES)
    ok, _, report = validate(data, shacl_graph=shapes)
    assert ok, report
    broken = Graph()
    for s, p, o in data:
        if not (p == CK.analysisRun and str(s).endswith("firm-00001")):
            broken.add((s, p, o))
    ok, _, report = validate(broken, shacl_graph=shapes)
    assert not ok and "firm-00001" in report
    broken.add(
        (
            ID["enterprise/changan-automobile"],
            CK.tier,
            data.value(next(data.subjects(CK.tier, None)), CK.tier),
        )
    )
    ok, _, report = validate(broken, shacl_graph=shapes)
    assert "changan-automobile" in report


def test_stated_chengdu_chongqing_dependences(kg_2000):
    G = supply_network(kg_2000, "synthetic")
    cc = str(ID["cluster/chengdu-chongqing-auto"])
    assert G.graph["synthetic"]
    core = {"drive-motor", "electronic-control", "transmission"}
    outside = total = 0
    battery_suppliers = set()
    for s, c, data in G.edges(data=True):
        if not (G.nodes[c].get("oem") and G.nodes[c].get("cluster") == cc):
            continue
        for link in data["links"]:
            item = link["item"].rsplit("/", 1)[-1]
            if item in core:
                total += 1
                outside += G.nodes[s].get("cluster") != cc
            if item == "power-battery":
                battery_suppliers.add(s)
    assert total > 0 and outside / total >= 0.85
    # BYD, a vehicle maker in the curated graph, is not an anchor: its battery arm is
    anchors = {str(ID["site/catl-yibin"]), str(ID["enterprise/byd-battery"])}
    assert battery_suppliers and battery_suppliers <= anchors
    assert str(ID["enterprise/byd"]) not in G


def test_cluster_members_lists_each_generated_firm_once(kg_2000):
    """ck:SyntheticEntity marks provenance, not a kind: the member listing shows every
    generated firm once, with its kind, and the count equals the firms stated as members."""
    from clusterkg.queries import run_named

    cluster = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"
    res = run_named(kg_2000, "cluster-members", {"cluster": cluster})
    rows = res.records()
    members = [r["member"] for r in rows]
    assert "Synthetic entity" not in {r["class"] for r in rows}
    synthetic = [m for m in members if "/synthetic/" in m]
    assert synthetic and len(synthetic) == len(set(synthetic))
    stated = kg_2000.engine.query(
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m <https://w3id.org/clusterkg/ontology#memberOf> "
        f"<{cluster}> ; a <https://w3id.org/clusterkg/ontology#SyntheticEntity> }}"
    )
    assert len(synthetic) == stated.records()[0]["n"]


def test_realised_supplier_distribution_is_reported_and_links_are_distinct(full):
    text, summary = full
    store = open_kg(Settings.from_env(store="memory", load_bundled=False))
    store.backend.load_data(text.encode(), "trig", None)
    prefix = "PREFIX ck: <https://w3id.org/clusterkg/ontology#> "
    (dup,) = store.query(
        prefix
        + """SELECT (COUNT(?l) AS ?links) (COUNT(DISTINCT ?key) AS ?distinct) WHERE {
        GRAPH ?g { ?l a ck:SupplyLink ; ck:supplier ?s ; ck:customer ?c ; ck:suppliedItem ?i }
        BIND(CONCAT(STR(?s), " ", STR(?c), " ", STR(?i)) AS ?key) }""",
        row_limit=None,
    ).records()
    assert dup["links"] == dup["distinct"] == summary["links"]
    rows = store.query(
        prefix
        + """SELECT ?c ?i (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g {
        ?l ck:supplier ?s ; ck:customer ?c ; ck:suppliedItem ?i . ?c ck:tier 0 } }
        GROUP BY ?c ?i""",
        row_limit=None,
    ).records()
    counts = [int(r["n"]) for r in rows]
    assert len(counts) == 259 * 8  # every OEM buys each of the eight tier-1 items
    got = summary["tier1_suppliers_per_item"]
    for key, want in (("1", 1), ("2", 2), ("3", 3)):
        assert got[key] == pytest.approx(counts.count(want) / len(counts))
    assert got["4+"] == pytest.approx(sum(c >= 4 for c in counts) / len(counts))
    assert got["max"] == max(counts)
    # the idle-supplier rule moves the realised shares well away from the 0.5 initial draw
    assert got["1"] < 0.4 and got["max"] > 3
    note = store.query(
        prefix + "SELECT ?n WHERE { GRAPH ?g { ?r a ck:AnalysisRun ; ck:note ?n } }",
        row_limit=None,
    ).records()[0]["n"]
    assert f"1: {got['1']:.1%}" in str(note) and "byd-battery" in str(note)
    store.close()


def test_one_oem_per_counted_vehicle_enterprise(kg_2000):
    G = supply_network(kg_2000, "synthetic")
    oems = [n for n, a in G.nodes(data=True) if a.get("oem")]
    # every OEM of the synthetic network is a generated tier-0 firm with suppliers
    assert oems and all(G.nodes[o]["synthetic"] and G.in_degree(o) for o in oems)
