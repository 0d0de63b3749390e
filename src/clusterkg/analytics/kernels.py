"""Exact graph kernels computed by igraph (C), on the networkx graph the analytics keep.

networkx stays the graph model and the reference implementation; the heavy, exact kernels are
handed to igraph, which computes the same definitions 25-600 times faster (benchmarks/). The
conversion is made once per graph (:func:`to_igraph`, cached on the graph's identity and size),
and every result comes back as a dict keyed by the networkx node. Calls that stay in networkx
(flows and minimum cuts, Katz, eigenvector, Louvain) keep networkx's backend dispatch:
``NETWORKX_BACKEND_PRIORITY=cugraph`` (or another installed backend) routes them there.

References
----------
- G. Csardi, T. Nepusz, "The igraph software package for complex network research",
  InterJournal Complex Systems 1695 (2006).
- U. Brandes, "A faster algorithm for betweenness centrality", J. Math. Sociology 25 (2001)
  163-177 (exact betweenness; Freeman 1977 for the definition).
- S. Brin, L. Page, "The anatomy of a large-scale hypertextual Web search engine", Computer
  Networks 30 (1998) 107-117 (PageRank); D. F. Gleich, "PageRank beyond the Web", SIAM Review
  57 (2015) 321-363 (PRPACK: the linear system solved to machine precision).
- S. Wasserman, K. Faust, *Social Network Analysis*, CUP 1994 (closeness for disconnected
  graphs); M. Marchiori, V. Latora, "Harmony in the small-world", Physica A 285 (2000) 539-546
  and P. Boldi, S. Vigna, "Axioms for centrality", Internet Mathematics 10 (2014) (harmonic).
- J. Hopcroft, R. Tarjan, "Efficient algorithms for graph manipulation", CACM 16 (1973) 372-378
  (articulation points, bridges).
- T. Lengauer, R. E. Tarjan, "A fast algorithm for finding dominators in a flowgraph", ACM
  TOPLAS 1 (1979) 121-141.
- V. A. Traag, L. Waltman, N. J. van Eck, "From Louvain to Leiden: guaranteeing well-connected
  communities", Scientific Reports 9 (2019) 5233.
"""

from __future__ import annotations

import math
import random
import weakref
from typing import Any

import igraph as ig
import networkx as nx

_CACHE: weakref.WeakKeyDictionary[nx.Graph, tuple[tuple[int, int], ig.Graph, list[Any]]] = (
    weakref.WeakKeyDictionary()
)


def to_igraph(G: nx.Graph) -> tuple[ig.Graph, list[Any]]:
    """``G`` as an igraph graph (directed if ``G`` is) and the node list: vertex i is
    ``nodes[i]``. Made once per graph: a second call on the same, unchanged-in-size graph
    returns the same object (a graph changed in place keeping its size must not be passed;
    the analytics never mutate a projection)."""
    key = (G.number_of_nodes(), G.number_of_edges())
    hit = _CACHE.get(G)
    if hit is not None and hit[0] == key:
        return hit[1], hit[2]
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(
        n=len(nodes),
        edges=[(index[u], index[v]) for u, v in G.edges()],
        directed=G.is_directed(),
    )
    _CACHE[G] = (key, g, nodes)
    return g, nodes


def _scale(n: int) -> float:
    """networkx's normalisation of directed betweenness: 1/((n-1)(n-2))."""
    return 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0


def betweenness(G: nx.DiGraph) -> dict[Any, float]:
    """Exact shortest-path betweenness (Freeman 1977; Brandes 2001), normalised as networkx
    does for a directed graph (divided by (n-1)(n-2))."""
    g, nodes = to_igraph(G)
    if not nodes:
        return {}
    scale = _scale(len(nodes)) if G.is_directed() else 2 * _scale(len(nodes))
    return {
        v: float(b) * scale
        for v, b in zip(nodes, g.betweenness(directed=G.is_directed()), strict=True)
    }


def pagerank(G: nx.DiGraph, alpha: float = 0.85) -> dict[Any, float]:
    """PageRank (Brin & Page 1998) with damping ``alpha``, unweighted, solved exactly by
    PRPACK (Gleich 2015); a node with no out-link spreads its rank uniformly, as networkx's
    default does."""
    g, nodes = to_igraph(G)
    if not nodes:
        return {}
    pr = g.pagerank(damping=alpha, directed=G.is_directed(), implementation="prpack")
    return {v: float(p) for v, p in zip(nodes, pr, strict=True)}


def closeness_harmonic(G: nx.DiGraph) -> tuple[dict[Any, float], dict[Any, float]]:
    """Closeness and harmonic centrality on INCOMING distances (how close a firm is to the
    firms that reach it), exactly as networkx defines them: closeness is the Wasserman-Faust
    variant ``(r/(n-1)) * (r / sum_u d(u,v))`` over the r nodes that reach v (0 if none);
    harmonic is ``sum_u 1/d(u,v)``."""
    g, nodes = to_igraph(G)
    n = len(nodes)
    if n == 0:
        return {}, {}
    mode = "in" if G.is_directed() else "all"
    inv = g.closeness(mode=mode, normalized=False)  # 1 / sum of distances over reachers
    reach = [s - 1 for s in g.neighborhood_size(order=n, mode=mode)]
    harm = g.harmonic_centrality(mode=mode, normalized=False)
    closeness = {}
    for v, c, r in zip(nodes, inv, reach, strict=True):
        closeness[v] = float(c * r * r / (n - 1)) if r > 0 and not math.isnan(c) and n > 1 else 0.0
    return closeness, {v: float(h) for v, h in zip(nodes, harm, strict=True)}


def articulation_points_and_bridges(G: nx.Graph) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Articulation points and bridges of the undirected projection (Hopcroft & Tarjan 1973),
    sorted; each bridge as a sorted pair."""
    g, nodes = to_igraph(G)
    u = g.as_undirected(mode="collapse") if g.is_directed() else g
    arts = sorted(nodes[i] for i in u.articulation_points())
    bridges = sorted(tuple(sorted((nodes[e.source], nodes[e.target]))) for e in u.es[u.bridges()])
    return arts, bridges


def immediate_dominators(G: nx.DiGraph, root: Any) -> dict[Any, Any]:
    """The immediate dominator of every node reachable from ``root`` (Lengauer & Tarjan
    1979), ``root`` itself left out, as ``networkx.immediate_dominators`` (3.6) returns it."""
    g, nodes = to_igraph(G)
    index = nodes.index(root)
    out = {}
    for i, d in enumerate(g.dominator(index, mode="out")):
        if i != index and not (isinstance(d, float) and math.isnan(d)) and d >= 0:
            out[nodes[i]] = nodes[int(d)]
    return out


def weak_component_sizes(G: nx.Graph) -> list[int]:
    """Sizes of the weakly connected components, largest first."""
    g, _ = to_igraph(G)
    return sorted(g.connected_components(mode="weak").sizes(), reverse=True)


def leiden(G: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> tuple[list[list[Any]], float]:
    """Leiden communities (Traag, Waltman & van Eck 2019) of the undirected projection,
    optimising modularity at ``resolution``, iterated to convergence; seeded (igraph draws
    from Python's ``random``, so the seed is set on a private generator state and restored).
    Returns the communities (largest first, members sorted) and their modularity."""
    g, nodes = to_igraph(G)
    u = g.as_undirected(mode="collapse") if g.is_directed() else g
    if u.vcount() == 0:
        return [], 0.0
    state = random.getstate()
    try:
        random.seed(seed)
        part = u.community_leiden(
            objective_function="modularity", resolution=resolution, n_iterations=-1
        )
    finally:
        random.setstate(state)
    comms = sorted((sorted(nodes[i] for i in c) for c in part), key=lambda c: (-len(c), str(c[0])))
    return comms, float(u.modularity(part.membership, resolution=resolution))
