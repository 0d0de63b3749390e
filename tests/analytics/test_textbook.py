"""Resilience measures on small textbook supply chains, with the answers worked out by hand."""

from __future__ import annotations

import networkx as nx
import pytest
from supply_chains import chain

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.resilience import (
    cascade,
    critical_nodes,
    lcc_curve,
    r_index,
    removal_order,
    robustness,
    self_sufficiency,
    sourcing,
)
from clusterkg.analytics.scenarios import run_scenario


def test_sourcing_hhi_by_value_equal_shares_and_regions():
    G = chain(
        [
            ("S1", "C", "x", 60.0),
            ("S2", "C", "x", 40.0),
            ("S3", "C", "y", 5.0),
            ("S4", "C", "z", 10.0),
            ("S5", "C", "z", None),
        ],
        S1={"region": "R1"},
        S2={"region": "R1"},
        S4={"region": "R1"},
        S5={"region": "R2"},
    )
    rows = {r["item"]: r for r in sourcing(G)}
    # x: value shares 0.6 and 0.4 -> 0.36 + 0.16 = 0.52; both suppliers in R1 -> region HHI 1
    assert rows["x"]["hhi"] == pytest.approx(0.52)
    assert rows["x"]["basis"] == "value"
    assert rows["x"]["region_hhi"] == pytest.approx(1.0)
    assert not rows["x"]["single_sourced"]
    # y: one supplier -> HHI 1, flagged
    assert rows["y"]["hhi"] == 1.0 and rows["y"]["single_sourced"]
    # z: one value unknown -> equal shares 1/2 each -> 0.5; two regions -> 0.5
    assert rows["z"]["hhi"] == pytest.approx(0.5) and rows["z"]["basis"] == "equal"
    assert rows["z"]["region_hhi"] == pytest.approx(0.5)


def test_articulation_point_cut_and_dominators():
    # M1, M2 -> A -> B1, B2 -> OEM: A lies on every path from the supply base to the OEM.
    G = chain(
        [
            ("M1", "A", "m", None),
            ("M2", "A", "m", None),
            ("A", "B1", "p", None),
            ("A", "B2", "p", None),
            ("B1", "OEM", "s", None),
            ("B2", "OEM", "s", None),
        ],
        OEM={"oem": True},
    )
    crit = critical_nodes(G)
    assert crit.articulation_points == ["A"]
    assert crit.bridges == [("A", "M1"), ("A", "M2")]
    (oem,) = crit.per_oem
    assert oem["connectivity"] == 1 and oem["cut"] == ["A"]
    assert oem["dominators"] == ["A"]


def test_diamond_needs_two_removals_and_has_no_dominator():
    G = chain(
        [
            ("M1", "B1", "p", None),
            ("M2", "B2", "p", None),
            ("B1", "OEM", "s", None),
            ("B2", "OEM", "s", None),
        ],
        OEM={"oem": True},
    )
    (oem,) = critical_nodes(G).per_oem
    assert oem["connectivity"] == 2
    assert oem["dominators"] == []
    H = G.copy()
    H.remove_nodes_from(oem["cut"])
    assert not any(nx.has_path(H, m, "OEM") for m in ("M1", "M2") if m in H)
    assert critical_nodes(G).articulation_points == ["B1", "B2", "OEM"]


def test_r_index_of_a_path_by_hand():
    # a -> b -> c. Degree order: b (2), then a, c (ties by name). After removing b the largest
    # component has 1 node of 3, after a still 1, after c none: R = (1/3 + 1/3 + 0) / 3 = 2/9.
    G = chain([("a", "b", "p", None), ("b", "c", "p", None)], c={"oem": True})
    order = removal_order(G, "degree")
    assert order == ["b", "a", "c"]
    curve = lcc_curve(G, order)
    assert curve == pytest.approx([1.0, 1 / 3, 1 / 3, 0.0])
    assert r_index(curve) == pytest.approx(2 / 9)
    res = robustness(G, "degree")
    assert res.r_lcc == pytest.approx(2 / 9)
    # the OEM c is cut off from its terminal supplier a as soon as b goes
    assert res.oem_mean == pytest.approx([1.0, 0.0, 0.0, 0.0])
    assert res.r_oem == 0.0


def test_random_removal_r_index_expectation_and_seed():
    # Random order on a 3-path: b first (p=1/3) gives s(1)=1/3, else 2/3; s(2)=1/3, s(3)=0.
    # E[R] = (1/3*1/3 + 2/3*2/3 + 1/3 + 0) / 3 = 8/27.
    G = chain([("a", "b", "p", None), ("b", "c", "p", None)], c={"oem": True})
    res = robustness(G, "random", trials=600, seed=1)
    assert res.r_lcc == pytest.approx(8 / 27, abs=0.015)
    assert res.r_lcc_std > 0
    again = robustness(G, "random", trials=600, seed=1)
    assert again.lcc_mean == res.lcc_mean


def test_cascade_and_or_to_a_fixed_point():
    # OEM needs x from S1 or S2 (OR) and y from S3 (AND); D buys only from OEM.
    G = chain(
        [
            ("S1", "OEM", "x", 10.0),
            ("S2", "OEM", "x", 30.0),
            ("S3", "OEM", "y", 60.0),
            ("OEM", "D", "v", 5.0),
        ]
    )
    assert cascade(G, ["S1"]).failed == {"S1": 0}
    assert cascade(G, ["S1", "S2"]).failed == {"S1": 0, "S2": 0, "OEM": 1, "D": 2}
    res = cascade(G, ["S3"])
    assert res.failed == {"S3": 0, "OEM": 1, "D": 2} and res.rounds == 2


def test_cascade_threshold_on_value_share():
    G = chain([("S1", "OEM", "x", 10.0), ("S2", "OEM", "x", 30.0), ("S3", "OEM", "y", 60.0)])
    # S2 carries 30 of 100: fails the OEM at theta 0.3, not at 0.5
    assert "OEM" not in cascade(G, ["S2"], mode="threshold", theta=0.5).failed
    assert cascade(G, ["S2"], mode="threshold", theta=0.3).failed["OEM"] == 1
    with pytest.raises(AnalyticsError):
        cascade(G, ["S2"], mode="threshold", theta=0)


def test_scenario_by_region_reports_per_cluster():
    within_y = ["yibin", "sichuan"]
    G = chain(
        [
            ("CATL-Yibin", "OEM1", "power-battery", 100.0),
            ("B2", "OEM2", "power-battery", 50.0),
            ("CATL-Yibin", "OEM2", "power-battery", 20.0),
        ],
        **{
            "CATL-Yibin": {"within": within_y, "operator": "CATL"},
            "B2": {"within": ["shanghai"]},
            "OEM1": {"oem": True, "cluster": "cc", "within": ["chengdu"]},
            "OEM2": {"oem": True, "cluster": "yrd", "within": ["shanghai"]},
        },
    )
    rep = run_scenario(G, remove_regions=["yibin"])
    assert rep.removed == ["CATL-Yibin"]
    assert rep.cascaded == ["OEM1"]  # OEM2 keeps B2 for batteries
    assert [a["oem"] for a in rep.affected_oems] == ["OEM1", "OEM2"]
    assert rep.lost_value == 120.0
    assert rep.per_cluster["cc"] == {
        "failed": 1,
        "affected_oems": 1,
        "lost_value_cny": 100.0,
        "lost_links": 1,
        "synthetic": False,  # no generated link in this network
        "synthetic_links": 0,
    }
    # removing the operator removes its site
    assert run_scenario(G, remove=["CATL"]).removed == ["CATL-Yibin"]
    # everything outside Shanghai goes: CATL-Yibin and OEM1 (B2, OEM2 stay)
    assert run_scenario(G, keep_regions=["shanghai"]).removed == ["CATL-Yibin", "OEM1"]
    with pytest.raises(AnalyticsError, match="needs something"):
        run_scenario(G)
    with pytest.raises(AnalyticsError, match="not in the supply network"):
        run_scenario(G, remove=["nobody"])


def test_self_sufficiency_shares():
    G = chain(
        [("in1", "O", "a", 30.0), ("out1", "O", "b", 70.0), ("nowhere", "O", "c", None)],
        in1={"within": ["chengdu", "sichuan"]},
        out1={"within": ["shanghai"]},
        O={"clusters": ["cc"], "cluster": "cc"},
    )
    G.graph["clusters"] = {"cc": {"label": "CC", "covers": ["sichuan", "chongqing"]}}
    (row,) = self_sufficiency(G)
    assert (row["inside"], row["outside"], row["unknown"]) == (1, 1, 1)
    assert row["share_inside"] == pytest.approx(1 / 3)
    assert row["value_share_inside"] == pytest.approx(0.3)
    assert row["outside_items"] == {"b": {"links": 1, "value": 70.0}}


def test_reverse_sweep_oem_curve_equals_a_search_per_point(kg_2000):
    # The O(V+E) sweep must give, at every Q, what a fresh search from the survivors gives.
    import random

    from clusterkg.analytics.projection import supply_network
    from clusterkg.analytics.resilience import (
        articulation_and_bridges,
        oem_reach_curve,
        oem_reach_share,
        oems,
        terminal_suppliers,
    )

    G = supply_network(kg_2000, "synthetic")
    base = terminal_suppliers(G)
    targets = [o for o in oems(G) if o not in base]
    for order in (removal_order(G, "random", rng=random.Random(3)), removal_order(G, "degree")):
        curve = oem_reach_curve(G, order, base, targets)
        for q in range(0, len(order) + 1, 97):
            assert curve[q] == pytest.approx(oem_reach_share(G, set(order[:q]), base, targets))
    U = G.to_undirected()
    arts, brs = articulation_and_bridges(G)
    assert arts == sorted(nx.articulation_points(U))
    assert brs == sorted(tuple(sorted(e)) for e in nx.bridges(U))


def test_critical_nodes_match_networkx_on_the_whole_graph_serial_and_forked():
    """Per OEM, the cut size equals ``nx.node_connectivity`` from the supply base computed on
    the whole graph (clusterkg cuts on the OEM's ancestors only), and removing the cut leaves
    no path; two worker processes give the same answers as one."""
    import random

    rng = random.Random(7)
    tiers = [[f"T{t}-{i}" for i in range(30)] for t in range(4)]
    edges = []
    for upper, lower in zip(tiers, tiers[1:], strict=False):
        for c in lower:
            for s in rng.sample(upper, rng.randint(1, 3)):
                edges.append((s, c, "p", None))
    oems = {f"T3-{i}": {"oem": True} for i in range(30)}  # > 20: the pool path
    G = chain(edges, **oems)
    serial, forked = critical_nodes(G), critical_nodes(G, workers=2)
    assert serial.per_oem == forked.per_oem
    H = nx.DiGraph(G.edges)
    H.add_edges_from(("SRC", t) for t in G if G.in_degree(t) == 0)
    for rec in serial.per_oem:
        o = rec["oem"]
        assert rec["connectivity"] == nx.node_connectivity(H, "SRC", o)
        cut = H.copy()
        cut.remove_nodes_from(rec["cut"])
        assert not nx.has_path(cut, "SRC", o)


def test_oem_reach_curve_on_cyclic_graphs_equals_a_search_at_every_q():
    # The widest-path rounds must reach the same answer as a fresh search at EVERY Q, also on
    # graphs with cycles and long chains (many rounds), where a rewrite could stop too early.
    import random

    from clusterkg.analytics.resilience import oem_reach_curve, oem_reach_share

    for seed in range(30):
        rng = random.Random(seed)
        G = nx.gnp_random_graph(40, 0.06, seed=seed, directed=True)
        G = nx.relabel_nodes(G, {i: f"n{i:02d}" for i in G})
        chain = [f"c{i:02d}" for i in range(15)]  # a 15-edge path: 15 rounds are needed
        nx.add_path(G, chain)
        G.add_edge("n00", chain[0])
        nodes = sorted(G)
        base = rng.sample(nodes, 5)
        targets = sorted({*rng.sample(nodes, 8), chain[-1]})
        order = nodes[:]
        rng.shuffle(order)
        curve = oem_reach_curve(G, order, base, targets)
        assert len(curve) == len(order) + 1
        for q in range(len(order) + 1):
            assert curve[q] == oem_reach_share(G, set(order[:q]), base, targets), (seed, q)
