"""Supply-chain resilience of a supply network (definitions and citations in docs/analytics.md).

- :func:`sourcing`: per customer and item, the supplier count, the Herfindahl-Hirschman index
  of supplier shares (Herfindahl 1950; Hirschman 1964) and of supplier regions; single sourcing.
- :func:`self_sufficiency`: per cluster, the share of inbound links and value from suppliers
  inside the cluster's regions, and the items bought from outside.
- :func:`critical_nodes`: articulation points and bridges (Hopcroft & Tarjan 1973) of the
  undirected projection; per OEM the node connectivity and a minimum node cut from its supply
  base (Menger 1927; Even & Tarjan 1975) and its dominators (Lengauer & Tarjan 1979; Cooper,
  Harvey & Kennedy 2001); articulation points, bridges and dominators are computed by igraph
  (:mod:`clusterkg.analytics.kernels`), the minimum cuts by networkx's max-flow.
- :func:`robustness`: largest weakly connected component and OEM reachability as nodes are
  removed at random or by degree/betweenness, with the R-index of Schneider et al. (PNAS 2011).
- :func:`cascade`: failure propagation (AND across items, OR across suppliers; or a threshold
  on the failed share of supply value) to a fixed point (after Buldyrev et al. 2010 and
  Watts 2002).
"""

from __future__ import annotations

import math
import os
import random
import sys
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from clusterkg.analytics import AnalyticsError, centrality, kernels
from clusterkg.analytics.items import is_service
from clusterkg.analytics.projection import (
    SYNTHETIC_LINK_GRAPH,
    synthetic_components,
    synthetic_inbound,
    synthetic_links_on,
    synthetic_outbound,
)

UNSPECIFIED = "unspecified"
SUPER_SOURCE = "urn:clusterkg:super-source"


def hhi(shares: list[float]) -> float:
    """Herfindahl-Hirschman index ``sum_i s_i^2`` of shares that sum to 1 (1/n .. 1)."""
    return sum(s * s for s in shares)


def inbound_by_item(G: nx.DiGraph, v: str) -> dict[str, dict[str, float | None]]:
    """Item -> supplier -> summed known value (``None`` if some link of it has no value)."""
    out: dict[str, dict[str, float | None]] = defaultdict(dict)
    # the predecessor dict holds the same edge-data dicts as ``G.edges[s, v]``, without the
    # edge view's lookup per link (a third of building a CascadeModel at 100,000 firms)
    for s, data in G._pred[v].items():
        for link in data.get("links") or [{"item": None, "value": None}]:
            item = link.get("item") or UNSPECIFIED
            value = link.get("value")
            if s in out[item]:
                prev = out[item][s]
                out[item][s] = None if prev is None or value is None else prev + value
            else:
                out[item][s] = value
    return out


def supplier_shares(values: dict[str, float | None]) -> tuple[dict[str, float], str]:
    """Shares of suppliers: by value when every supplier's value is known, else 1/n each."""
    n = len(values)
    known = [v for v in values.values() if v is not None]
    total = sum(known)
    if len(known) == n and total > 0:
        # every value is known here (len(known) == n), which mypy cannot follow
        return {s: v / total for s, v in values.items()}, "value"  # type: ignore[operator]
    return dict.fromkeys(values, 1.0 / n), "equal"


def synthetic_by_item(G: nx.DiGraph, v: str) -> dict[str, int]:
    """Item -> how many of ``v``'s inbound links of that item are generated (stated in the
    synthetic graph, or with a synthetic end: :func:`~.projection.synthetic_links_on`)."""
    out: dict[str, int] = defaultdict(int)
    nodes = G._node
    for s, data in G._pred[v].items():
        ends = bool(nodes[s].get("synthetic") or nodes[v].get("synthetic"))
        for link in data.get("links") or [{"item": None}]:
            if ends or link.get("graph") == SYNTHETIC_LINK_GRAPH:
                out[link.get("item") or UNSPECIFIED] += 1
    return out


def sourcing(G: nx.DiGraph) -> list[dict[str, Any]]:
    """Per customer and supplied item: suppliers, their HHI, the HHI over supplier regions.

    A supplier with no known region counts as its own region (``None`` is not pooled).
    ``synthetic_links``: how many of the row's links are generated; ``synthetic``: whether
    any is (the row's figures then rest on generated data, even for a real customer).
    """
    rows = []
    for v in sorted(G):
        generated = synthetic_by_item(G, v)
        for item, values in sorted(inbound_by_item(G, v).items()):
            shares, basis = supplier_shares(values)
            by_region: dict[str, float] = defaultdict(float)
            for s, share in shares.items():
                by_region[G.nodes[s].get("region") or f"unknown:{s}"] += share
            rows.append(
                {
                    "customer": v,
                    "customer_label": G.nodes[v].get("label"),
                    "item": item,
                    "suppliers": sorted(values),
                    "n_suppliers": len(values),
                    "hhi": hhi(list(shares.values())),
                    "basis": basis,
                    "single_sourced": len(values) == 1,
                    "region_hhi": hhi(list(by_region.values())),
                    "n_regions": len(by_region),
                    "cluster": G.nodes[v].get("cluster"),
                    "synthetic": generated.get(item, 0) > 0,
                    "synthetic_links": generated.get(item, 0),
                }
            )
    return rows


def self_sufficiency(G: nx.DiGraph) -> list[dict[str, Any]]:
    """Per cluster: the share of inbound supply links (and known value) from inside its regions.

    A link is inbound to cluster C when its customer is a member of C; its supplier is
    inside when the supplier's region lies (via ``ck:partOf``) in a region C covers. Suppliers
    with no region are counted as ``unknown`` and are not inside.
    """
    clusters = G.graph.get("clusters", {})
    covers = {c: set(info["covers"]) for c, info in clusters.items()}
    counts: dict[str, Counter] = defaultdict(Counter)
    values: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    outside_items: dict[str, dict[str, dict[str, float]]] = defaultdict(
        lambda: defaultdict(lambda: {"links": 0, "value": 0.0})
    )
    within = {n: set(a.get("within") or ()) for n, a in G.nodes(data=True)}
    # One pass over the links (not one per cluster): the national network has 31,000 of them.
    for s, v, data in G.edges(data=True):
        for c in G.nodes[v].get("clusters") or ():
            if c not in covers:
                continue
            if within[s]:
                where = "inside" if within[s] & covers[c] else "outside"
            else:  # a group a source places only "outside the region"
                where = "outside" if G.nodes[s].get("outside") else "unknown"
            ends = bool(G.nodes[s].get("synthetic") or G.nodes[v].get("synthetic"))
            for link in data.get("links", []):
                counts[c][where] += 1
                counts[c]["links"] += 1
                if ends or link.get("graph") == SYNTHETIC_LINK_GRAPH:
                    counts[c]["synthetic"] += 1
                if link.get("value") is not None:
                    values[c][where] += link["value"]
                    values[c]["total"] += link["value"]
                if where == "outside":
                    rec = outside_items[c][link.get("item") or UNSPECIFIED]
                    rec["links"] += 1
                    rec["value"] += link.get("value") or 0.0
    out = []
    for c in sorted(clusters):
        if not counts[c]["links"]:
            continue  # a cluster with no inbound links has no self-sufficiency to report
        out.append(
            {
                "cluster": c,
                "label": clusters[c]["label"],
                "inbound_links": counts[c]["links"],
                "inside": counts[c]["inside"],
                "outside": counts[c]["outside"],
                "unknown": counts[c]["unknown"],
                "share_inside": counts[c]["inside"] / counts[c]["links"]
                if counts[c]["links"]
                else None,
                "value_total": values[c]["total"],
                "value_share_inside": values[c]["inside"] / values[c]["total"]
                if values[c]["total"]
                else None,
                "outside_items": {k: outside_items[c][k] for k in sorted(outside_items[c])},
                "synthetic": counts[c]["synthetic"] > 0,
                "synthetic_links": counts[c]["synthetic"],
            }
        )
    return out


def oems(G: nx.DiGraph) -> list[str]:
    """The vehicle makers (``oem`` attribute: ck:VehicleManufacturer or tier 0)."""
    return sorted(n for n, a in G.nodes(data=True) if a.get("oem"))


def terminal_suppliers(G: nx.DiGraph) -> list[str]:
    """Nodes with no supplier of their own: the start of every supply path."""
    return sorted(n for n in G if G.in_degree(n) == 0 and G.out_degree(n) > 0)


@dataclass
class CriticalNodes:
    """Articulation points, bridges, and per OEM its connectivity, a minimum cut, dominators."""

    articulation_points: list[str]
    bridges: list[tuple[str, str]]
    per_oem: list[dict[str, Any]]


def articulation_and_bridges(G: nx.Graph) -> tuple[list[str], list[tuple[str, str]]]:
    """Articulation points and bridges of the undirected projection, from ONE depth-first
    search (Hopcroft & Tarjan 1973): a vertex in two or more biconnected components is an
    articulation point, and a biconnected component of one edge is a bridge."""
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    seen: Counter = Counter()
    bridges = []
    for comp in nx.biconnected_component_edges(U):
        if len(comp) == 1:
            bridges.append(tuple(sorted(comp[0])))
        for v in {x for e in comp for x in e}:
            seen[v] += 1
    return sorted(v for v, c in seen.items() if c > 1), sorted(bridges)


#: The supply-base graph shared with worker processes (set before they fork).
_SHARED: dict[str, Any] = {}


def _oem_cut(o: str) -> list[str]:
    """A minimum node cut between the super-source and ``o`` in the shared supply-base graph
    (:func:`clusterkg.analytics.kernels.min_st_node_cut`: on ``o``'s ancestors only)."""
    return kernels.min_st_node_cut(_SHARED["H"], SUPER_SOURCE, o)


def auto_workers(G: nx.DiGraph, threshold: int = 2000) -> int:
    """Processes for :func:`critical_nodes` on ``G``: up to two above ``threshold`` nodes.

    Forking pays off only when the cuts take seconds; two, because the machines this runs
    on are small and the parent keeps working (ref: BENCHMARKS.md, national point).
    """
    return min(2, os.cpu_count() or 1) if G.number_of_nodes() > threshold else 1


def critical_nodes(
    G: nx.DiGraph,
    targets: list[str] | None = None,
    progress: bool = False,
    workers: int = 1,
) -> CriticalNodes:
    """Articulation points and bridges of the undirected projection, and for each OEM:

    - ``connectivity``: the least number of nodes (other than the OEM) whose removal cuts
      every path from the supply base to it; the supply base is a super-source linked to
      every terminal supplier (a node without suppliers);
    - ``cut``: one such minimum node cut;
    - ``dominators``: the nodes on every path from the supply base to the OEM
      (``immediate_dominators`` from the super-source, followed to the root);
    - ``synthetic``, ``synthetic_links``: whether, and through how many generated links, the
      paths into the OEM rest on generated data (:func:`synthetic_upstream`).

    The cuts are independent max-flow problems; with ``workers > 1`` they are spread over
    that many forked processes (about 30 ms each on the national network, 259 OEMs).
    """
    arts, brs = kernels.articulation_points_and_bridges(G)
    H = nx.DiGraph()
    H.add_edges_from(G.edges)
    H.add_nodes_from(G)
    H.add_edges_from((SUPER_SOURCE, t) for t in terminal_suppliers(G))
    idom = kernels.immediate_dominators(H, SUPER_SOURCE) if SUPER_SOURCE in H else {}
    targets = oems(G) if targets is None else targets
    unknown = [o for o in targets if o not in G]
    if unknown:
        raise AnalyticsError(f"{unknown[0]} is not in the supply network")
    cut_for = [o for o in targets if G.in_degree(o) and o in idom]
    cuts: dict[str, list[str]] = {}
    _SHARED["H"] = H
    try:
        if workers > 1 and len(cut_for) > 20:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for i, (o, cut) in enumerate(
                    zip(cut_for, pool.imap(_oem_cut, cut_for, chunksize=8), strict=True)
                ):
                    if progress and i % 25 == 0:
                        print(f"critical nodes: OEM {i + 1}/{len(cut_for)}", file=sys.stderr)
                    cuts[o] = cut
        else:
            for i, o in enumerate(cut_for):
                if progress and i % 25 == 0:
                    print(f"critical nodes: OEM {i + 1}/{len(cut_for)}", file=sys.stderr)
                cuts[o] = _oem_cut(o)
    finally:
        _SHARED.clear()
    per = []
    in_component = synthetic_components(G)
    for o in targets:
        rec: dict[str, Any] = {
            "oem": o,
            "label": G.nodes[o].get("label"),
            "suppliers": G.in_degree(o),
            **synthetic_upstream(G, o, in_component),
        }
        if o not in cuts:
            rec.update(connectivity=0, cut=[], dominators=[], reachable=False)
        else:
            doms = []
            d = idom[o]
            while d != SUPER_SOURCE:
                doms.append(d)
                d = idom[d]
            rec.update(connectivity=len(cuts[o]), cut=cuts[o], dominators=doms, reachable=True)
        per.append(rec)
    return CriticalNodes(arts, brs, per)


def synthetic_upstream(
    G: nx.DiGraph, o: str, in_component: dict[str, int] | None = None
) -> dict[str, Any]:
    """``synthetic`` and ``synthetic_links`` of a figure computed on the paths into ``o``
    (its connectivity, cut and dominators): the generated links among the links into ``o``
    and into its ancestors. ``in_component`` (:func:`~.projection.synthetic_components`)
    skips the search where the component holds none."""
    if in_component is not None and not in_component.get(o):
        return {"synthetic": False, "synthetic_links": 0}
    up = nx.ancestors(G, o) | {o}
    n = sum(synthetic_links_on(G, s, v) for v in up for s in G._pred[v])
    return {"synthetic": n > 0, "synthetic_links": n}


def auto_batch(n: int, recomputations: int = 200) -> int:
    """Removals between two recomputations when the caller gives none: about
    ``recomputations`` recomputations in all, so that a recomputed targeted attack on the
    national network (13,000 firms) costs about 200 exact betweenness passes, not 13,000."""
    return max(1, -(-n // recomputations))


def removal_order(
    G: nx.DiGraph,
    strategy: str,
    *,
    rng: random.Random | None = None,
    recompute: bool = False,
    batch: int | None = 1,
    k: int = centrality.DEFAULT_K,
    exact_threshold: int = centrality.EXACT_THRESHOLD,
    scores_given: dict[str, float] | None = None,
) -> list[str]:
    """The order in which ``strategy`` (random | degree | betweenness) removes nodes.

    Ties break by node IRI so that orders are reproducible. With ``recompute`` the score is
    recomputed on the remaining network after every ``batch`` removals (``None``:
    :func:`auto_batch`); the remaining network is kept as an igraph graph from which the
    removed vertices are deleted, so each recomputation is one exact igraph pass with no
    conversion. Betweenness is :func:`clusterkg.analytics.centrality.betweenness` (exact at
    every size unless ``exact_threshold`` asks for the sampled estimate with ``k`` sources);
    ``scores_given`` reuses scores already computed on ``G`` with the same options.
    """
    nodes = sorted(G)
    if strategy == "random":
        (rng or random.Random(0)).shuffle(nodes)
        return nodes
    if strategy not in ("degree", "betweenness"):
        raise AnalyticsError(
            f"unknown removal strategy {strategy!r}: use random, degree or betweenness"
        )

    def scores(H: nx.DiGraph) -> dict[str, float]:
        if strategy == "degree":
            return {n: float(H.in_degree(n) + H.out_degree(n)) for n in H}
        if scores_given is not None and H is G:
            return scores_given
        return centrality.betweenness(H, exact_threshold=exact_threshold, k=k, seed=0)[0]

    if not recompute:
        sc = scores(G)
        return sorted(nodes, key=lambda n: (-sc[n], n))
    step = auto_batch(len(nodes)) if batch is None else max(1, batch)
    order: list[str] = []
    if strategy == "betweenness" and len(nodes) > exact_threshold:
        # the caller asked for sampled scores: recompute them on networkx copies
        H = G.copy()
        while H.number_of_nodes():
            sc = scores(H)
            pick = sorted(H, key=lambda n: (-sc[n], n))[:step]
            order.extend(pick)
            H.remove_nodes_from(pick)
        return order
    g0, names0 = kernels.to_igraph(G)
    g = g0.copy()
    g.vs["name"] = names0
    while g.vcount():
        names = g.vs["name"]
        if strategy == "degree":
            raw = [float(d) for d in g.degree(mode="all")]
        elif scores_given is not None and not order:
            raw = [scores_given[v] for v in names]
        else:
            # unnormalised: normalising multiplies every score by one factor, so the
            # ranking is the one networkx's normalised scores give
            raw = g.betweenness(directed=True)
        ranked = sorted(range(len(names)), key=lambda i: (-raw[i], names[i]))[:step]
        order.extend(names[i] for i in ranked)
        g.delete_vertices(ranked)
    return order


def lcc_curve(G: nx.Graph, order: list[str]) -> list[float]:
    """``s(Q)`` for Q = 0..N: largest weakly connected component / N after removing Q nodes.

    Computed by adding nodes back in reverse order with a union-find (Newman & Ziff 2000), so
    the whole curve costs about one pass over the edges (on integer vertex ids).
    """
    n = len(order)
    if n == 0:
        return [0.0]
    adj, index = kernels.adjacency(G, "all")
    parent = [-1] * len(adj)  # -1: not added back yet
    size = [0] * len(adj)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    largest = 0
    curve = [0.0] * (n + 1)  # curve[Q]: after removing the first Q nodes of ``order``
    for q in range(n, 0, -1):
        v = index[order[q - 1]]
        parent[v], size[v] = v, 1
        largest = max(largest, 1)
        for u in adj[v]:
            if parent[u] >= 0:
                a, b = find(u), find(v)
                if a != b:
                    if size[a] < size[b]:
                        a, b = b, a
                    parent[b] = a
                    size[a] += size[b]
                    if size[a] > largest:
                        largest = size[a]
        curve[q - 1] = largest / n
    curve[n] = 0.0
    return curve


def reachable_from(
    G: nx.DiGraph, sources: list[str], removed: set[str] | frozenset = frozenset()
) -> set[str]:
    """Every node reachable from some surviving node of ``sources`` (one multi-source search)."""
    seen = {t for t in sources if t not in removed}
    queue = deque(seen)
    while queue:
        u = queue.popleft()
        for v in G._succ[u]:
            if v not in seen and v not in removed:
                seen.add(v)
                queue.append(v)
    return seen


def oem_reach_share(G: nx.DiGraph, removed: set[str], base: list[str], targets: list[str]) -> float:
    """Share of ``targets`` (OEMs) still reachable from a surviving terminal supplier."""
    if not targets:
        return 0.0
    seen = reachable_from(G, base, removed)
    in_base = set(base)
    return sum(1 for o in targets if o in seen and o not in in_base) / len(targets)


def oem_reach_curve(
    G: nx.DiGraph, order: list[str], base: list[str], targets: list[str]
) -> list[float]:
    """``o(Q)`` for Q = 0..N: share of ``targets`` (OEMs) reachable from a surviving terminal
    supplier (one of ``base``) after removing the first Q nodes of ``order``.

    Exact at every Q, vectorised. With ``p(v)`` the position of v in ``order`` (nodes not in
    it never survive), v is reachable after Q removals iff some path from a base node to v has
    every position >= Q; so the curve only needs each node's *widest path* value
    ``s(v) = max over base-to-v paths of the least position on the path`` (the maximin or
    bottleneck path problem, Pollack 1960), and ``o(Q) = #{targets t: s(t) >= Q} / |targets|``.
    ``s`` is the least fixed point of ``s(v) = min(p(v), max_{u -> v} s(u))`` (``s(b) = p(b)``
    on the base), reached by Bellman-Ford rounds over the edge arrays (Bellman 1958) from
    ``s = -1``: round k is exact for paths of at most k edges, so the rounds stop after the
    longest optimal path (a few supply tiers), each one O(E) in numpy. The same answer as the
    reverse sweep of Newman & Ziff (2000) that adds nodes back one by one.
    """
    n = len(order)
    if not targets:
        return [0.0] * (n + 1)
    src, dst, index = kernels.edge_arrays(G)
    m = len(index)
    pos = np.full(m, -1, dtype=np.int64)
    pos[[index[v] for v in order]] = np.arange(n, dtype=np.int64)
    is_base = np.zeros(m, dtype=bool)
    is_base[[index[b] for b in base]] = True
    s = np.where(is_base, pos, -1)
    while True:
        best = np.full(m, -1, dtype=np.int64)
        np.maximum.at(best, dst, s[src])
        nxt = np.where(is_base, pos, np.minimum(pos, best))
        if np.array_equal(nxt, s):
            break
        s = nxt
    is_target = np.zeros(m, dtype=bool)
    in_base = set(base)  # a set: ``base`` is a list of ~25,000 suppliers at 100,000 firms
    is_target[[index[t] for t in targets if t not in in_base]] = True
    reach = s[is_target]
    counts = np.bincount(reach[reach >= 0], minlength=n + 1)
    hits = counts[::-1].cumsum()[::-1]  # hits[q] = #{targets with s >= q}
    curve = [int(h) / len(targets) for h in hits[: n + 1]]
    curve[n] = 0.0
    return curve


def oem_targets(G: nx.DiGraph, base: list[str]) -> tuple[list[str], list[str]]:
    """The OEMs the curve ``o(Q)`` follows, and the OEMs it leaves out.

    ``o(Q)`` measures supply: the share of OEMs that still receive it from the supply base. So
    it follows the OEMs that receive supply in the intact network, those reached from a
    terminal supplier by a path of at least one link, and ``o(0) = 1``, as Schneider et al.'s
    ``s(0) = 1`` on a connected network. An OEM with no stated supplier (itself a terminal
    supplier, or isolated) has no supply the removals could take away: counting it would add
    only whether it was itself removed (an LCC-like count) and raise ``R_oem`` for want of
    data. This is the connectivity loss of Albert, Albert & Nakarado (2004), averaged over the
    consumers that a generator reaches. The OEMs left out are reported beside the curve.
    """
    # one search from the whole base, not one per OEM
    reachable = reachable_from(G, base)
    in_base = set(base)  # membership in a list of ~25,000 cost seconds at 100,000 firms
    targets: list[str] = []
    left_out: list[str] = []
    for o in oems(G):
        (targets if o not in in_base and o in reachable else left_out).append(o)
    return targets, left_out


def r_index(curve: list[float]) -> float:
    """Schneider et al. (2011) robustness ``R = 1/N sum_{Q=1}^{N} s(Q)`` of a curve s(0..N)."""
    n = len(curve) - 1
    return sum(curve[1:]) / n if n > 0 else 0.0


@dataclass
class RobustnessResult:
    """Mean and spread of the curves over trials, on a grid of removed fractions."""

    strategy: str
    recompute: bool
    trials: int
    fractions: list[float]
    lcc_mean: list[float]
    lcc_std: list[float]
    oem_mean: list[float]
    oem_std: list[float]
    r_lcc: float
    r_lcc_std: float
    r_oem: float
    r_oem_std: float
    parameters: dict[str, Any] = field(default_factory=dict)


def _mean_std(values: list[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def robustness(
    G: nx.DiGraph,
    strategy: str = "random",
    *,
    trials: int = 10,
    seed: int = 0,
    recompute: bool = False,
    batch: int | None = None,
    points: int = 100,
    progress: bool = False,
    scores: dict[str, float] | None = None,
) -> RobustnessResult:
    """Robustness curves and R-indices under node removal.

    Both curves are exact at every Q (reverse sweeps, :func:`lcc_curve` and
    :func:`oem_reach_curve`) and each R is Schneider's sum over all N removals; ``points``
    only sets how many evenly spaced Q the returned curves show. Random removal averages
    ``trials`` seeded orders; targeted strategies are deterministic and run once. With
    ``recompute``, scores are recomputed after every ``batch`` removals (``None``:
    :func:`auto_batch`, about 200 recomputations in all).
    """
    n = G.number_of_nodes()
    if n == 0:
        raise AnalyticsError("the supply network is empty: nothing to remove")
    rng = random.Random(seed)
    runs = trials if strategy == "random" else 1
    pts = min(points, n)
    grid = [round(j * n / pts) for j in range(pts + 1)]
    base = terminal_suppliers(G)
    targets, left_out = oem_targets(G, base)
    lccs, reaches, r_l, r_o = [], [], [], []
    for t in range(runs):
        if progress:
            print(
                f"robustness ({strategy}): "
                + (f"trial {t + 1}/{runs}" if runs > 1 else "ordering and curves"),
                file=sys.stderr,
                flush=True,
            )
        order = removal_order(
            G, strategy, rng=rng, recompute=recompute, batch=batch, scores_given=scores
        )
        curve = lcc_curve(G, order)
        lccs.append([curve[q] for q in grid])
        r_l.append(r_index(curve))
        reach = oem_reach_curve(G, order, base, targets)
        reaches.append([reach[q] for q in grid])
        r_o.append(r_index(reach))
    cols = list(zip(*lccs, strict=True))
    ocols = list(zip(*reaches, strict=True))
    lm = [_mean_std(list(c)) for c in cols]
    om = [_mean_std(list(c)) for c in ocols]
    rl, rls = _mean_std(r_l)
    ro, ros = _mean_std(r_o)
    return RobustnessResult(
        strategy,
        recompute,
        runs,
        [q / n for q in grid],
        [m for m, _ in lm],
        [s for _, s in lm],
        [m for m, _ in om],
        [s for _, s in om],
        rl,
        rls,
        ro,
        ros,
        {
            "strategy": strategy,
            "trials": runs,
            "seed": seed,
            "recompute": recompute,
            "batch": (auto_batch(n) if batch is None else batch) if recompute else None,
            "points": pts,
            "oems": len(targets),
            "oems_left_out": left_out,
        },
    )


@dataclass
class CascadeResult:
    """Which nodes failed and in which round (0 = removed at the start), and why.

    ``cause[v] = (item, supplier)`` for a node that failed by cascade: under the AND rule the
    item it could no longer source and the supplier of that item that failed first (ties by
    IRI), so that following ``cause`` leads back to a removed node in strictly falling rounds.
    Under the threshold rule the item is ``None`` and the supplier is its first failed one.
    """

    failed: dict[str, int]
    rounds: int
    mode: str
    theta: float | None
    cause: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    @property
    def initial(self) -> list[str]:
        return sorted(n for n, r in self.failed.items() if r == 0)

    @property
    def cascaded(self) -> list[str]:
        return sorted(n for n, r in self.failed.items() if r > 0)

    def chain(self, node: str) -> list[dict[str, str | None]]:
        """The steps from ``node`` back to a removed node: ``customer`` could not source
        ``item`` because ``supplier`` failed, and so on until a supplier that was removed."""
        steps: list[dict[str, str | None]] = []
        while node in self.cause:
            item, supplier = self.cause[node]
            steps.append({"customer": node, "item": item, "supplier": supplier})
            node = supplier
        return steps


class CascadeModel:
    """The inbound needs of every firm of ``G`` (item -> its suppliers), computed once so
    that many cascades on the same network (one per candidate single point of failure, per
    region, per cluster) each cost only the part of the network they reach."""

    def __init__(self, G: nx.DiGraph) -> None:
        self.G = G
        # production inputs only: a service (items.is_service) never stops production
        self.needs: dict[str, dict[str, frozenset[str]]] = {
            v: {
                item: frozenset(sups)
                for item, sups in sorted(inbound_by_item(G, v).items())
                if not is_service(item, G)
            }
            for v in G
            if G.in_degree(v)
        }
        self._weights: dict[str, dict[str, float]] | None = None
        #: supplier -> the (customer, item) needs it is one of the suppliers of
        self.supplies: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for v, items in self.needs.items():
            for item, sups in items.items():
                for sup in sups:
                    self.supplies[sup].append((v, item))
        self._out: dict[str, tuple[int, float, float]] | None = None
        self._syn: tuple[dict[str, int], dict[str, int]] | None = None

    def supply_out(self) -> dict[str, tuple[int, float, float]]:
        """Per supplier, :func:`supply_out` (links, known value, value to OEMs), once."""
        if self._out is None:
            self._out = {s: supply_out(self.G, s) for s in self.G}
        return self._out

    def weights(self) -> dict[str, dict[str, float]]:
        """Per customer, each supplier's share basis: its annual value when every inbound
        link states one (and they sum above 0), else its number of links."""
        if self._weights is None:
            self._weights = {}
            for v in self.needs:
                per = inbound_by_item(self.G, v)
                links = [
                    (s, val)
                    for item, sups in per.items()
                    if not is_service(item, self.G)
                    for s, val in sups.items()
                ]
                # by_value only when every val is known (all(...) first), which mypy cannot follow
                by_value = (
                    all(val is not None for _, val in links) and sum(val for _, val in links) > 0  # type: ignore[misc]
                )
                w: dict[str, float] = defaultdict(float)
                for s, val in links:
                    w[s] += val if by_value else 1.0  # type: ignore[operator]
                self._weights[v] = w
        return self._weights

    def synthetic_exposure(self, failed: Iterable[str]) -> dict[str, Any]:
        """Whether a cascade's figures rest on generated data, and how much of them.

        ``synthetic_links``: the generated links among the links whose supplier failed (the
        links ``links_at_risk`` counts). ``synthetic``: some of those are generated, or a
        failed node is synthetic, or a customer of a failed node buys over a generated link
        (whether it failed turned on its alternatives)."""
        if self._syn is None:
            self._syn = (synthetic_outbound(self.G), synthetic_inbound(self.G))
        out, inbound = self._syn
        failed = list(failed)
        n = sum(out[f] for f in failed)
        nodes, succ = self.G._node, self.G._succ
        touched = (
            n > 0
            or any(nodes[f].get("synthetic") for f in failed)
            or any(inbound[c] for f in failed for c in succ[f])
        )
        return {"synthetic": bool(touched), "synthetic_links": n}

    def sole_suppliers(self) -> set[str]:
        """Nodes that are the only supplier of some item of some customer: only their single
        failure can make anything else fail under the AND rule (a customer fails in round 1
        only if one of its items loses every supplier, i.e. the item's supplier set is {x})."""
        return {
            next(iter(s)) for items in self.needs.values() for s in items.values() if len(s) == 1
        }

    def _run_and(self, failed: dict[str, int], first: Any) -> CascadeResult:
        """The AND rule by counting: each need (customer, item) keeps how many of its
        suppliers are left; a supplier's failure decrements its needs once, and a customer
        fails in the next round when one of its needs reaches 0. Round by round this is the
        synchronous fixed point (a need reaches 0 in round r exactly when its last supplier
        failed in round r - 1), at the cost of the failed suppliers' links only."""
        cause: dict[str, tuple[str | None, str]] = {}
        left: dict[tuple[str, str], int] = {}
        needs, supplies = self.needs, self.supplies
        frontier = list(failed)
        rnd = 0
        while frontier:
            rnd += 1
            zeroed: dict[str, list[str]] = defaultdict(list)
            for f in frontier:
                for key in supplies.get(f, ()):
                    v = key[0]
                    if v in failed:
                        continue
                    r = left.get(key)
                    r = (len(needs[v][key[1]]) if r is None else r) - 1
                    left[key] = r
                    if r == 0:
                        zeroed[v].append(key[1])
            frontier = sorted(zeroed)
            for v in frontier:
                failed[v] = rnd
            for v in frontier:
                # the first item in IRI order that lost its last supplier, as the scan did
                item = min(zeroed[v])
                cause[v] = (item, first(needs[v][item]))
        return CascadeResult(failed, max(failed.values(), default=0), "and", None, cause)

    def run(
        self, initial: list[str] | set[str], *, mode: str = "and", theta: float = 0.5
    ) -> CascadeResult:
        """The cascade from ``initial`` (see :func:`cascade`); inputs are not checked here."""
        failed = dict.fromkeys(initial, 0)
        cause: dict[str, tuple[str | None, str]] = {}
        succ = self.G._succ
        weights = self.weights() if mode == "threshold" else {}

        def first(sups: Iterable[str]) -> str:
            return min((s for s in sups if s in failed), key=lambda s: (failed[s], s))

        if mode == "and":
            return self._run_and(failed, first)
        frontier = set(failed)
        rnd = 0
        while frontier:
            rnd += 1
            candidates = {c for f in frontier for c in succ[f] if c not in failed}
            new: dict[str, tuple[str | None, str]] = {}
            # decisions within a round read only earlier rounds, so their order is free;
            # the new failures are recorded in IRI order below (reproducible output)
            for v in candidates:
                if mode == "and":
                    for item, sups in self.needs[v].items():
                        if all(s in failed for s in sups):
                            new[v] = (item, first(sups))
                            break
                else:
                    w = weights[v]
                    total = sum(w.values())
                    lost = sum(x for s, x in w.items() if s in failed)
                    if total > 0 and lost / total >= theta - 1e-12:
                        new[v] = (None, first(w))
            for v in sorted(new):
                failed[v] = rnd
                cause[v] = new[v]
            frontier = set(new)
        return CascadeResult(
            failed,
            max(failed.values(), default=0),
            mode,
            theta if mode == "threshold" else None,
            cause,
        )


def cascade(
    G: nx.DiGraph,
    initial: list[str] | set[str],
    *,
    mode: str = "and",
    theta: float = 0.5,
    model: CascadeModel | None = None,
) -> CascadeResult:
    """Propagate failures downstream to a fixed point, in synchronous rounds.

    ``mode="and"``: a firm fails when, for some production input it buys, every supplier of
    that item has failed (AND across items, OR across alternative suppliers). ``mode="threshold"``:
    a firm fails when the failed share of its inbound production supply reaches ``theta``;
    shares are by annual value when every inbound link states one, else by link count. Services
    (:func:`clusterkg.analytics.items.is_service`) are no production input: their loss makes
    no firm fail under either rule. Firms without suppliers never fail by cascade. ``model`` reuses the needs of ``G`` computed once (:class:`CascadeModel`).
    """
    if mode not in ("and", "threshold"):
        raise AnalyticsError(f"unknown cascade mode {mode!r}: use and or threshold")
    if mode == "threshold" and not 0 < theta <= 1:
        raise AnalyticsError(f"theta must be in (0, 1], got {theta}")
    unknown = [n for n in initial if n not in G]
    if unknown:
        raise AnalyticsError(f"not in the supply network: {', '.join(sorted(unknown))}")
    return (model or CascadeModel(G)).run(initial, mode=mode, theta=theta)


def supply_out(G: nx.DiGraph, s: str) -> tuple[int, float, float]:
    """The supply links of supplier ``s``: their number, the sum of their known annual
    values, and the part of it delivered to OEMs."""
    links, value, to_oems = 0, 0.0, 0.0
    nodes = G._node  # the attribute dicts themselves: NodeView's lookup cost a third here
    for c, data in G._succ[s].items():
        oem = bool(nodes[c].get("oem"))
        for link in data.get("links", []):
            links += 1
            v = link.get("value")
            if v is not None:
                value += v
                if oem:
                    to_oems += v
    return links, value, to_oems


def lost_supply(
    G: nx.DiGraph, failed: Iterable[str], model: CascadeModel | None = None
) -> dict[str, Any]:
    """The supply links whose supplier failed: their number, the sum of their known annual
    values (``value``: summed over every tier, so a chain A -> B -> OEM counts both links,
    i.e. it double counts value that flows along a chain), and the part delivered straight to
    OEMs (``value_to_oems``: counted once per OEM purchase, no double counting). ``model``
    reuses per-supplier totals computed once (many scenarios on one network)."""
    per = model.supply_out() if model is not None else None
    links, value, to_oems = 0, 0.0, 0.0
    for s in failed:
        n, v, o = per[s] if per is not None else supply_out(G, s)
        links += n
        value += v
        to_oems += o
    return {"links": links, "value": value, "value_to_oems": to_oems}
