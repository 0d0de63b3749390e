"""Resilience measures on small networks worked out by hand (or, for random removal, against a
brute-force reference computed here with networkx on the same removal orders).

Dominators (Lengauer & Tarjan 1979): a node dominates an OEM when every path from the supply
base to it passes through the node. Region HHI (Herfindahl-Hirschman over supplier regions):
a supplier of unknown region is its own region, never pooled with other unknowns. Robustness
spread: the population standard deviation over trials of the LCC share s(Q) (Schneider et al.
2011) and of the reachable-OEM share, per Q.
"""

from __future__ import annotations

import math
import random
import statistics

import networkx as nx
import pytest

from clusterkg.analytics.resilience import critical_nodes, removal_order, robustness, sourcing


def _supply(edges, oems=(), regions=None, links=None):
    G = nx.DiGraph()
    G.add_edges_from(edges)
    for n in G:
        G.nodes[n]["label"] = n
        G.nodes[n]["oem"] = n in oems
        if regions and n in regions:
            G.nodes[n]["region"] = regions[n]
    for (u, v), ls in (links or {}).items():
        G.edges[u, v]["links"] = ls
    return G


def _per(result, oem):
    return next(r for r in result.per_oem if r["oem"] == oem)


def test_dominator_chain_of_length_two():
    #   T1 \
    #        M -> N -> P -> O        T3 -> N bypasses M, so M does not dominate O;
    #   T2 /       ^                 every path passes N, then P: dominators of O = [P, N]
    #        T3 ---+
    G = _supply(
        [("T1", "M"), ("T2", "M"), ("M", "N"), ("T3", "N"), ("N", "P"), ("P", "O")], oems={"O"}
    )
    rec = _per(critical_nodes(G), "O")
    assert rec["dominators"] == ["P", "N"]  # nearest first, up to the supply base
    assert rec["connectivity"] == 1
    assert rec["cut"] in (["N"], ["P"])


def test_dominator_chain_of_length_three_and_a_bypassed_node():
    #  T1 -> A -> B -> C -> O, and T2 -> B: A is bypassed; B and C dominate; also T1 -> X -> C
    #  makes B bypassable too, leaving C alone.
    G = _supply([("T1", "A"), ("A", "B"), ("T2", "B"), ("B", "C"), ("C", "O")], oems={"O"})
    assert _per(critical_nodes(G), "O")["dominators"] == ["C", "B"]
    G.add_edges_from([("T1", "X"), ("X", "C")])
    G.nodes["X"]["oem"] = False
    assert _per(critical_nodes(G), "O")["dominators"] == ["C"]
    # One terminal supplier feeding a chain: every node on it dominates.
    H = _supply([("T", "A"), ("A", "B"), ("B", "C"), ("C", "O")], oems={"O"})
    assert _per(critical_nodes(H), "O")["dominators"] == ["C", "B", "A", "T"]


def _row(rows, customer, item):
    return next(r for r in rows if r["customer"] == customer and r["item"] == item)


def test_unknown_regions_are_not_pooled_in_region_hhi():
    # Three suppliers of one item, no values: shares 1/3 each. S1 in R, S2 and S3 unknown:
    # regions {R, unknown:S2, unknown:S3} -> HHI = 3 * (1/3)^2 = 1/3 (pooled would be 5/9).
    G = _supply(
        [("S1", "C"), ("S2", "C"), ("S3", "C")],
        regions={"S1": "R"},
        links={(s, "C"): [{"item": "motor", "value": None}] for s in ("S1", "S2", "S3")},
    )
    row = _row(sourcing(G), "C", "motor")
    assert row["n_regions"] == 3
    assert row["region_hhi"] == pytest.approx(1 / 3)
    assert row["hhi"] == pytest.approx(1 / 3)
    assert row["basis"] == "equal"


def test_region_hhi_by_value_with_an_unknown_region():
    # Values 100 (R), 300 (unknown), 600 (R): shares .1 .3 .6; regions R .7, unknown .3
    # -> region HHI .49 + .09 = .58; supplier HHI .01 + .09 + .36 = .46.
    G = _supply(
        [("S1", "C"), ("S2", "C"), ("S3", "C")],
        regions={"S1": "R", "S3": "R"},
        links={
            ("S1", "C"): [{"item": "cell", "value": 100.0}],
            ("S2", "C"): [{"item": "cell", "value": 300.0}],
            ("S3", "C"): [{"item": "cell", "value": 600.0}],
        },
    )
    row = _row(sourcing(G), "C", "cell")
    assert row["basis"] == "value"
    assert row["n_regions"] == 2
    assert row["region_hhi"] == pytest.approx(0.58)
    assert row["hhi"] == pytest.approx(0.46)


def _lcc_share(G, removed, n):
    H = G.to_undirected().subgraph(set(G) - removed)
    return max((len(c) for c in nx.connected_components(H)), default=0) / n


def _oem_share(G, removed, base, targets):
    alive = [b for b in base if b not in removed]
    H = G.subgraph(set(G) - removed)
    seen = set(alive).union(*(nx.descendants(H, b) for b in alive)) if alive else set()
    return sum(1 for o in targets if o in seen) / len(targets)


def test_random_removal_spread_matches_a_brute_force_reference():
    G = _supply(
        [
            ("T1", "A"), ("T2", "A"), ("T2", "B"), ("A", "O1"), ("B", "O1"),
            ("B", "C"), ("C", "O2"), ("T3", "C"), ("D", "O2"), ("T3", "D"),
        ],
        oems={"O1", "O2"},
    )  # fmt: skip
    n, trials, seed = G.number_of_nodes(), 6, 11
    res = robustness(G, "random", trials=trials, seed=seed, points=n)
    assert res.fractions == [q / n for q in range(n + 1)]
    # The same orders robustness draws: one rng, one order per trial, in turn.
    rng = random.Random(seed)
    orders = [removal_order(G, "random", rng=rng) for _ in range(trials)]
    assert len({tuple(o) for o in orders}) > 1  # the trials differ, so the spread is not 0
    base = sorted(v for v in G if G.in_degree(v) == 0)
    targets = ["O1", "O2"]
    lcc = [[_lcc_share(G, set(o[:q]), n) for q in range(n + 1)] for o in orders]
    reach = [[_oem_share(G, set(o[:q]), base, targets) for q in range(n + 1)] for o in orders]
    for q in range(n + 1):
        col = [c[q] for c in lcc]
        assert res.lcc_mean[q] == pytest.approx(statistics.fmean(col))
        assert res.lcc_std[q] == pytest.approx(statistics.pstdev(col))
        ocol = [c[q] for c in reach]
        assert res.oem_mean[q] == pytest.approx(statistics.fmean(ocol))
        assert res.oem_std[q] == pytest.approx(statistics.pstdev(ocol))
    assert max(res.lcc_std) > 0 and max(res.oem_std) > 0
    r_values = [sum(c[1:]) / n for c in lcc]
    assert res.r_lcc == pytest.approx(statistics.fmean(r_values))
    assert res.r_lcc_std == pytest.approx(statistics.pstdev(r_values))
    assert not math.isnan(res.r_oem_std)


def test_oem_curve_follows_the_supplied_oems_and_names_those_left_out():
    # s -> m -> o1, s -> o2, o3 -> x: o3 is an OEM with no supplier (a terminal supplier).
    # Degrees: m 2, s 2, then o1, o2, o3, x 1; the degree attack (ties by IRI) removes
    # m, s, o1, o2, o3, x. The supplied OEMs are o1 and o2 (o3 has no supply to lose):
    # o(1) = 1/2 (o2 via s), o(2..6) = 0, so R_oem = (1/2) / 6 = 1/12. Counting o3 as well
    # would give o = 2/3, 1/3, 1/3, 1/3, 0, 0 and R_oem = 5/18 (its own survival only).
    G = _supply(
        [("s", "m"), ("m", "o1"), ("s", "o2"), ("o3", "x")],
        oems={"o1", "o2", "o3"},
    )
    res = robustness(G, "degree", points=6)
    assert res.r_oem == pytest.approx(1 / 12)
    assert res.oem_mean == pytest.approx([1.0, 0.5, 0, 0, 0, 0, 0])
    assert res.parameters["oems"] == 2
    assert res.parameters["oems_left_out"] == ["o3"]


def test_curated_oem_curve_equals_a_networkx_reference(kg):
    # networkx reference: the degree order by hand (in + out degree, ties by IRI), and at every
    # Q a fresh search from the surviving suppliers without suppliers.
    from clusterkg.analytics.projection import supply_network

    G = supply_network(kg)
    order = sorted(G, key=lambda v: (-G.degree(v), v))
    n = len(order)
    base = [v for v in G if G.in_degree(v) == 0]
    oems = [v for v, a in G.nodes(data=True) if a["oem"]]
    supplied = [o for o in oems if G.in_degree(o)]
    total = 0.0
    for q in range(1, n + 1):
        H = G.subgraph(order[q:])
        seen = set().union(*(nx.descendants(H, b) for b in base if b in H))
        total += sum(o in seen for o in supplied) / len(supplied)
    res = robustness(G, "degree")
    assert res.r_oem == pytest.approx(total / n)
    assert sorted(res.parameters["oems_left_out"]) == sorted(set(oems) - set(supplied))
    # Seres: an OEM of the curated graph with no stated supplier (Geely sells its batteries
    # through its Sichuan site, so it is no longer a node of its own).
    assert {"https://w3id.org/clusterkg/id/enterprise/seres"} <= set(
        res.parameters["oems_left_out"]
    )
