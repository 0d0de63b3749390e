"""Rows whose figures rest on generated links are marked synthetic, even at a real node.

By hand: one real battery maker R sells over a curated link to the real OEM_REAL and over a
generated link (in the synthetic graph) to the synthetic SYN_OEM; Y sells motors to OEM_REAL
over a curated link. Every expected value below is counted from that picture, not from the
code. On the curated graph plus a generated network, the counts are brute-forced from the
projection's edge attributes (each link's ``graph``).
"""

from __future__ import annotations

import csv
import io

import pytest
from supply_chains import chain

from clusterkg.analytics import reports
from clusterkg.analytics.centrality import compute, mark_synthetic
from clusterkg.analytics.projection import supply_network
from clusterkg.analytics.resilience import critical_nodes, self_sufficiency, sourcing
from clusterkg.analytics.scenarios import run_scenario
from clusterkg.analytics.single_points import report as spof_report
from clusterkg.cli.output import render_report
from clusterkg.vocab import SYNTHETIC_GRAPH

C = "https://w3id.org/clusterkg/id/component/"
SYN = str(SYNTHETIC_GRAPH)
CURATED = "https://w3id.org/clusterkg/graph/curated"


def _by_hand():
    G = chain(
        [
            ("R", "OEM_REAL", C + "power-battery", 10.0),
            ("R", "SYN_OEM", C + "power-battery", 5.0),
            ("Y", "OEM_REAL", C + "drive-motor", 3.0),
        ],
        OEM_REAL={"oem": True, "cluster": "real-c", "clusters": ["real-c"]},
        SYN_OEM={"oem": True, "synthetic": True, "cluster": "syn-c", "clusters": ["syn-c"]},
    )
    for s, c in G.edges:
        for link in G.edges[s, c]["links"]:
            link["graph"] = SYN if c == "SYN_OEM" else CURATED
    G.graph["synthetic"] = True
    G.graph["clusters"] = {
        "real-c": {"label": "Real", "covers": []},
        "syn-c": {"label": "Syn", "covers": []},
    }
    return G


def test_single_points_mark_the_real_node_whose_loss_counts_generated_links():
    G = _by_hand()
    assert not G.nodes["R"].get("synthetic")  # R is real; its figure is not
    entries = {e["node"]: e for e in spof_report(G)["single_points_of_failure"]}
    # R: sole battery maker of both OEMs; 2 links at risk, 1 of them generated
    assert entries["R"]["oems"] == ["OEM_REAL", "SYN_OEM"]
    assert entries["R"]["links_at_risk"] == 2
    assert (entries["R"]["synthetic"], entries["R"]["synthetic_links"]) == (True, 1)
    # Y: sole motor maker of the real OEM only, over a curated link: no generated data
    assert (entries["Y"]["synthetic"], entries["Y"]["synthetic_links"]) == (False, 0)
    by_cluster = {e["cluster"]: e for e in spof_report(G)["by_cluster"]}
    assert by_cluster["syn-c"]["synthetic"] is True  # its member is synthetic


def test_sourcing_critical_and_self_sufficiency_rows_are_marked():
    G = _by_hand()
    rows = {(r["customer"], r["item"]): r for r in sourcing(G)}
    assert rows["SYN_OEM", C + "power-battery"]["synthetic"] is True
    assert rows["SYN_OEM", C + "power-battery"]["synthetic_links"] == 1
    assert rows["OEM_REAL", C + "power-battery"]["synthetic"] is False
    assert rows["OEM_REAL", C + "drive-motor"]["synthetic_links"] == 0
    per = {r["oem"]: r for r in critical_nodes(G).per_oem}
    assert (per["SYN_OEM"]["synthetic"], per["SYN_OEM"]["synthetic_links"]) == (True, 1)
    # the paths into OEM_REAL (R -> OEM_REAL, Y -> OEM_REAL) are curated
    assert (per["OEM_REAL"]["synthetic"], per["OEM_REAL"]["synthetic_links"]) == (False, 0)
    G.nodes["SYN_OEM"]["clusters"] = ["real-c"]  # now the real cluster buys over it too
    suff = {r["cluster"]: r for r in self_sufficiency(G)}
    assert suff["real-c"]["inbound_links"] == 3
    assert (suff["real-c"]["synthetic"], suff["real-c"]["synthetic_links"]) == (True, 1)


def test_scenario_rows_mark_the_generated_lost_link_of_a_real_supplier():
    G = _by_hand()
    rep = run_scenario(G, remove=["R"])
    oems = {a["oem"]: a for a in rep.affected_oems}
    # both list the real R as lost supplier; only SYN_OEM's loss is over a generated link
    assert oems["SYN_OEM"]["lost_suppliers"] == ["R"]
    assert (oems["SYN_OEM"]["synthetic"], oems["SYN_OEM"]["synthetic_links"]) == (True, 1)
    assert (oems["OEM_REAL"]["synthetic"], oems["OEM_REAL"]["synthetic_links"]) == (False, 0)
    assert rep.per_cluster["syn-c"]["synthetic"] is True
    assert rep.per_cluster["syn-c"]["synthetic_links"] == 1
    assert rep.per_cluster["real-c"]["synthetic"] is False
    assert rep.lost_synthetic_links == 1
    assert rep.to_dict()["lost_synthetic_links"] == 1


def test_centrality_rows_are_marked_by_component_and_count_links_at_the_node():
    G = _by_hand()
    G.add_edge("A", "B", links=[{"item": None, "value": None, "graph": CURATED}], weight=0.0)
    G.nodes["A"].update(label="A")
    G.nodes["B"].update(label="B")
    rows = {r["node"]: r for r in mark_synthetic(G, compute(G, metrics=("out_degree",)).table())}
    # R's component holds the generated link R -> SYN_OEM; A-B is a curated island
    assert (rows["R"]["synthetic"], rows["R"]["synthetic_links"]) == (True, 1)
    assert (rows["Y"]["synthetic"], rows["Y"]["synthetic_links"]) == (True, 0)
    assert (rows["A"]["synthetic"], rows["A"]["synthetic_links"]) == (False, 0)


@pytest.fixture(scope="module")
def all_network(kg_2000):
    return supply_network(kg_2000, "all")


def _generated_out(G, n):
    """Brute force: the links out of n stated in the synthetic graph or to a synthetic node."""
    return sum(
        1
        for c in G.successors(n)
        for link in G.edges[n, c]["links"]
        if link["graph"] == SYN or G.nodes[c].get("synthetic") or G.nodes[n].get("synthetic")
    )


def test_real_nodes_with_generated_customers_are_marked_on_all(kg_2000, all_network):
    G = all_network
    real = [
        n
        for n in G
        if not G.nodes[n].get("synthetic") and _generated_out(G, n) and n.endswith("catl-yibin")
    ]
    assert real, "the generated network attaches synthetic customers to CATL Yibin"
    rep = reports.resilience(kg_2000, "all", section="single-points")
    entries = {e["node"]: e for e in rep["json"]["single_points_of_failure"]}
    for n in real:
        if n in entries:
            failed = set(entries[n]["removed"])
            assert entries[n]["synthetic"] is True
            assert entries[n]["synthetic_links"] >= _generated_out(G, n)
            if failed == {n}:
                # removing a site alone: brute count over the links of every failed node
                assert entries[n]["synthetic_links"] <= entries[n]["links_at_risk"]
    # every entry is marked exactly when its generated links at risk or nodes say so
    for e in rep["json"]["single_points_of_failure"]:
        if e["synthetic_links"]:
            assert e["synthetic"] is True
    # a scenario removing the real site: every OEM row that lost it over a generated link
    site = real[0]
    scen = run_scenario(G, remove=[site])
    for a in scen.affected_oems:
        generated = sum(
            1
            for s in a["lost_suppliers"]
            for link in G.edges[s, a["oem"]]["links"]
            if link["graph"] == SYN or G.nodes[a["oem"]].get("synthetic")
        )
        assert a["synthetic_links"] == generated
        if generated:
            assert a["synthetic"] is True
    assert any(a["synthetic"] for a in scen.affected_oems)


def test_csv_and_table_carry_the_row_mark(kg):
    # curated only: every row says synthetic false, per row, in CSV and table
    rep = reports.resilience(kg, "curated", section="sourcing")
    assert rep["rows"] and all(r["synthetic"] is False for r in rep["rows"])
    header = next(csv.reader(io.StringIO(render_report(rep, "csv"))))
    assert header.count("synthetic") == 1 and "synthetic_links" in header
    table = render_report(rep, "table")
    assert "synthetic_links" in table
    # a report with one marked row: the CSV keeps the row's own value
    fake = {**rep, "synthetic": True, "rows": [{**rep["rows"][0]}, {**rep["rows"][0]}]}
    fake["rows"][0]["synthetic"] = True
    out = list(csv.DictReader(io.StringIO(render_report(fake, "csv"))))
    assert [r["synthetic"] for r in out] == ["true", "false"]


def test_the_web_views_carry_the_row_marks():
    from clusterkg.views import analysis as an

    network = an.pack(_by_hand())
    body = an.resilience_report(network, False, (1, 0))
    spof = {e["node"]: e for e in body["single_points_of_failure"]}
    assert (spof["R"]["synthetic"], spof["R"]["synthetic_links"]) == (True, 1)
    assert (spof["Y"]["synthetic"], spof["Y"]["synthetic_links"]) == (False, 0)
    oems = {r["oem"]: r for r in body["oems"]}
    assert oems["SYN_OEM"]["synthetic"] and not oems["OEM_REAL"]["synthetic"]
    # the curves run over the whole network: its one generated link
    assert all(c["synthetic"] and c["synthetic_links"] == 1 for c in body["robustness"])
    scen = an.scenario_report(network, {"remove": ["R"]}, "and", 0.5)
    marked = {a["oem"]: a["synthetic"] for a in scen["affected_oems"]}
    assert marked == {"OEM_REAL": False, "SYN_OEM": True}
    rows = an.centrality_rows(network, ("out_degree",), 0, 256, "out_degree", 5)["rows"]
    assert {r["node"]: r["synthetic_links"] for r in rows}["R"] == 1


def test_the_cluster_page_marks_a_synthetic_resilience_row(app):
    # The dashboard reads the curated network (never marked); a row that were marked shows so.
    from flask import render_template

    from clusterkg.views import dashboards

    kg = app.extensions["clusterkg"]
    iri = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"
    data = dashboards.cluster_dashboard(kg, iri)
    res = dict(data["resilience"])
    with app.test_request_context():
        plain = render_template("cluster.html", **data)
        assert res["single_sourced"] and "SYNTHETIC" not in plain
        res["single_sourced"] = [{**res["single_sourced"][0], "synthetic": True}]
        res["self_sufficiency"] = {
            **res["self_sufficiency"],
            "synthetic": True,
            "synthetic_links": 4,
        }
        marked = render_template("cluster.html", **{**data, "resilience": res})
    assert marked.count('class="synthetic-mark"') == 2
    assert "SYNTHETIC: 4 generated links" in marked
