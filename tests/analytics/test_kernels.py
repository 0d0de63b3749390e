"""Each igraph kernel against its networkx counterpart (the reference), on small graphs and on
a generated network. Tolerances: 1e-9 relative for the exact path metrics (both are exact
rational arithmetic in floating point), 1e-6 absolute for PageRank (networkx iterates to
tol=1e-6 per node on average; PRPACK solves the system), exact equality for the sets."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from clusterkg.analytics import communities, kernels
from clusterkg.analytics.projection import supply_network
from clusterkg.analytics.resilience import auto_batch, removal_order


def small_graphs() -> list[nx.DiGraph]:
    ring = nx.DiGraph(nx.cycle_graph(7))
    tree = nx.bfs_tree(nx.balanced_tree(2, 4), 0)
    rnd = nx.gnp_random_graph(60, 0.06, seed=3, directed=True)
    tiers = nx.DiGraph([(f"s{i}", f"t{i % 3}") for i in range(9)] + [("t0", "o"), ("t1", "o")])
    tiers.add_edge("o", "t2")  # one back edge: a cycle through the OEM
    pieces = nx.disjoint_union(nx.DiGraph(nx.path_graph(5)), nx.DiGraph([(0, 1)]))
    pieces.add_node("alone")  # three weak components: 5, 2 and 1 nodes
    return [ring, tree, rnd, tiers, pieces]


@pytest.fixture(scope="module")
def generated(kg_2000):
    return supply_network(kg_2000, "synthetic")


def graphs(generated):
    return [*small_graphs(), generated]


def close(a: dict, b: dict, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    return a.keys() == b.keys() and all(b[k] == pytest.approx(a[k], rel=rel, abs=abs_) for k in a)


def test_betweenness_matches_networkx(generated):
    for G in graphs(generated):
        assert close(kernels.betweenness(G), nx.betweenness_centrality(G))


def test_pagerank_matches_networkx(generated):
    for G in graphs(generated):
        ref = nx.pagerank(G, alpha=0.85, weight=None, tol=1e-12, max_iter=10_000)
        assert close(kernels.pagerank(G), ref, rel=0, abs_=1e-6)


def test_closeness_and_harmonic_match_networkx(generated):
    for G in graphs(generated):
        clo, har = kernels.closeness_harmonic(G)
        assert close(clo, nx.closeness_centrality(G))
        assert close(har, nx.harmonic_centrality(G))


def test_cut_structure_matches_networkx(generated):
    for G in graphs(generated):
        U = G.to_undirected()
        arts, bridges = kernels.articulation_points_and_bridges(G)
        assert set(arts) == set(nx.articulation_points(U))
        assert {frozenset(b) for b in bridges} == {frozenset(b) for b in nx.bridges(U)}
        root = next(iter(G))
        assert kernels.immediate_dominators(G, root) == nx.immediate_dominators(G, root)
        assert kernels.weak_component_sizes(G) == sorted(
            (len(c) for c in nx.weakly_connected_components(G)), reverse=True
        )


def test_leiden_beside_louvain(generated):
    U = generated.to_undirected()
    comms, q = kernels.leiden(generated, seed=1)
    assert sorted(n for c in comms for n in c) == sorted(U)  # a partition of every node
    assert q == pytest.approx(
        nx.community.modularity(U, [set(c) for c in comms], weight=None), abs=1e-9
    )
    louvain = nx.community.louvain_communities(U, seed=1, weight=None)
    # Leiden refines Louvain's moves, so it finds at least about the same modularity
    assert q >= nx.community.modularity(U, louvain, weight=None) - 0.01
    assert kernels.leiden(generated, seed=1) == (comms, q)  # seeded: reproducible


def test_conversion_is_made_once(generated):
    g1, _ = kernels.to_igraph(generated)
    g2, _ = kernels.to_igraph(generated)
    assert g1 is g2


def networkx_recomputed_attack(G: nx.DiGraph, batch: int) -> list[str]:
    """The reference: exact networkx betweenness recomputed on the rest every ``batch``."""
    H, order = G.copy(), []
    while H.number_of_nodes():
        sc = nx.betweenness_centrality(H)
        pick = sorted(H, key=lambda n: (-sc[n], n))[:batch]
        order += pick
        H.remove_nodes_from(pick)
    return order


@pytest.mark.parametrize("batch", [1, 4])
def test_recomputed_betweenness_attack_matches_networkx(batch):
    G = nx.relabel_nodes(
        nx.gnp_random_graph(40, 0.08, seed=5, directed=True), lambda i: f"n{i:02d}"
    )
    got = removal_order(G, "betweenness", recompute=True, batch=batch)
    assert got == networkx_recomputed_attack(G, batch)
    # the initial order uses the same exact scores as the centrality report
    once = removal_order(G, "betweenness")
    sc = nx.betweenness_centrality(G)
    assert once == sorted(G, key=lambda n: (-sc[n], n))


def test_auto_batch_bounds_the_recomputations():
    assert auto_batch(13_181) == 66 and auto_batch(150) == 1


def test_leiden_communities_agree_with_two_declared_cliques():
    G = nx.barbell_graph(5, 0)  # two 5-cliques joined by one edge
    for n in G:
        G.nodes[n]["cluster"] = "left" if n < 5 else "right"
    res = communities.leiden(G, seed=42)
    assert res.communities == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    # modularity of the split by hand: m = 21 edges, each clique 10 inner edges and degree
    # sum 21: Q = 2 * (10/21 - (21/42)^2) = 0.45238...
    assert res.modularity == pytest.approx(2 * (10 / 21 - 0.25))
    assert res.agreement == {"compared": 10, "nmi": pytest.approx(1.0), "ari": pytest.approx(1.0)}


def test_eigenvector_matches_networkx_on_connected_graphs(generated):
    U = generated.to_undirected()
    giant = U.subgraph(max(nx.connected_components(U), key=len)).copy()
    for G in [nx.karate_club_graph(), nx.barbell_graph(5, 2), giant]:
        assert close(kernels.eigenvector(G), nx.eigenvector_centrality_numpy(G), rel=0, abs_=1e-6)


def test_min_node_cut_matches_networkx_connectivity():
    for seed in range(4):
        G = nx.gnp_random_graph(50, 0.1, seed=seed, directed=True)
        pairs = [(s, t) for s in range(3) for t in range(40, 50) if not G.has_edge(s, t)]
        for s, t in pairs:
            cut = kernels.min_st_node_cut(G, s, t)
            assert len(cut) == nx.node_connectivity(G, s, t)
            H = G.copy()
            H.remove_nodes_from(cut)
            assert s not in cut and t not in cut and not nx.has_path(H, s, t)


def test_eigenvector_is_the_same_on_every_call_and_exactly_zero_off_the_principal_part():
    """ARPACK starts from a random vector: unseeded, two calls on the curated supply network
    differed in the last digits and gave 2.8e-17, 0.0 or -0.0 to the same node (a node of a
    component other than the principal one, whose exact score is 0)."""
    G = nx.disjoint_union(nx.path_graph(4), nx.star_graph(5))  # star: the larger eigenvalue
    G.add_edges_from([(20, 21), (21, 22)])
    first = kernels.eigenvector(G)
    assert all(kernels.eigenvector(G) == first for _ in range(5))
    star = set(range(4, 10))
    assert all(first[v] == 0.0 and str(first[v]) == "0.0" for v in G if v not in star)
    # on the star alone: sqrt(1/2) at the hub, sqrt(1/10) at each of the 5 leaves
    assert first[4] == pytest.approx(math.sqrt(0.5), abs=1e-9)
    assert all(first[v] == pytest.approx(math.sqrt(0.1), abs=1e-9) for v in range(5, 10))
