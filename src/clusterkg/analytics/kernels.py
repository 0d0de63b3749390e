"""Exact graph kernels computed by igraph (C), on the networkx graph the analytics keep.

networkx stays the graph model and the reference implementation; the heavy, exact kernels are
handed to igraph, which computes the same definitions 25-600 times faster (benchmarks/). The
conversion is made once per graph (:func:`to_igraph`, cached on the graph's identity and size),
and every result comes back as a dict keyed by the networkx node. Calls that stay in networkx
(flows and minimum cuts, Katz, Louvain) keep networkx's backend dispatch:
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
- K. Menger, "Zur allgemeinen Kurventheorie", Fund. Math. 10 (1927) 96-115; S. Even,
  R. E. Tarjan, "Network flow and testing graph connectivity", SIAM J. Comput. 4 (1975)
  507-518 (minimum node cuts by max-flow on the split graph).
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
import warnings
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import igraph as ig
import networkx as nx

_CACHE: weakref.WeakKeyDictionary[nx.Graph, tuple[tuple[int, int], ig.Graph, list[Any]]] = (
    weakref.WeakKeyDictionary()
)


_INDEX: weakref.WeakKeyDictionary[nx.Graph, dict[Any, int]] = weakref.WeakKeyDictionary()
_ADJ: weakref.WeakKeyDictionary[nx.Graph, dict[str, tuple[ig.Graph, list[list[int]]]]] = (
    weakref.WeakKeyDictionary()
)


def to_igraph(G: nx.Graph) -> tuple[ig.Graph, list[Any]]:
    """``G`` as an igraph graph (directed if ``G`` is) and the node list: vertex i is
    ``nodes[i]``. Made once per graph: a second call on the same, unchanged-in-size graph
    returns the same object. A graph whose edges were changed in place keeping its node count
    must not be passed again (the analytics never mutate a projection; they copy it)."""
    # the node count only: networkx counts edges by summing every degree (O(n)), which cost
    # more than the kernels themselves when checked once per OEM cut
    key = (G.number_of_nodes(), 0)
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


@contextmanager
def seeded(seed: int = 0) -> Iterator[None]:
    """igraph's random draws from a fixed seed within the block: igraph draws from Python's
    ``random``, so its state is set from ``seed`` and restored afterwards."""
    state = random.getstate()
    try:
        random.seed(seed)
        yield
    finally:
        random.setstate(state)


#: Scores below this (of a unit vector) are ARPACK's rounding of an exact 0: the nodes of
#: components other than the principal one.
_EIGEN_ZERO = 1e-12


def eigenvector(G: nx.Graph) -> dict[Any, float] | None:
    """Eigenvector centrality (Bonacich 1972) of the undirected projection, unweighted: the
    Perron vector of the adjacency matrix by ARPACK, scaled to unit Euclidean length as
    networkx scales it; ``None`` for a graph without edges. On a disconnected graph it is the
    vector of the component with the largest eigenvalue (0 elsewhere): the limit of networkx's
    power iteration from the uniform vector. ARPACK starts from a random vector, so it is
    seeded: the same graph gets the same scores to the last digit on every call."""
    g, nodes = to_igraph(G)
    u = g.as_undirected(mode="collapse") if g.is_directed() else g
    if u.ecount() == 0:
        return None
    with warnings.catch_warnings(), seeded(0):
        # igraph warns that near-zero scores mean a disconnected graph: the docstring says so
        warnings.simplefilter("ignore", RuntimeWarning)
        ev = u.eigenvector_centrality(scale=False)
    norm = math.sqrt(sum(x * x for x in ev))
    scores = (float(x) / norm for x in ev)
    return {v: x if abs(x) >= _EIGEN_ZERO else 0.0 for v, x in zip(nodes, scores, strict=True)}


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
    index = _index(G, nodes)[root]
    out = {}
    for i, d in enumerate(g.dominator(index, mode="out")):
        if i != index and not (isinstance(d, float) and math.isnan(d)) and d >= 0:
            out[nodes[i]] = nodes[int(d)]
    return out


def min_st_node_cut(G: nx.DiGraph, s: Any, t: Any) -> list[Any]:
    """A minimum set of nodes (other than ``s`` and ``t``) whose removal leaves no path from
    ``s`` to ``t`` (Menger 1927), sorted; computed on ``t``'s ancestors only (no other node
    carries flow to ``t``). Each node v is split into v_in -> v_out of capacity 1, the
    original edges get capacity n + 1, and the minimum edge cut of the split graph (igraph's
    push-relabel max-flow) consists of split edges only: its nodes are the cut (Even & Tarjan
    1975). ``t`` must not be a successor of ``s``."""
    g, nodes = to_igraph(G)
    index = _index(G, nodes)
    keep = g.subcomponent(index[t], mode="in")
    if index[s] not in keep:
        return []
    sub = g.induced_subgraph(keep)
    ids = sorted(keep)  # induced_subgraph numbers the kept vertices in increasing id order
    m = len(ids)
    local = {v: i for i, v in enumerate(ids)}
    src, dst = local[index[s]], local[index[t]]
    big = m + 1
    edges = [(i, i + m) for i in range(m)]
    caps = [big if i in (src, dst) else 1 for i in range(m)]
    edges += [(e.source + m, e.target) for e in sub.es]
    caps += [big] * sub.ecount()
    split = ig.Graph(n=2 * m, edges=edges, directed=True)
    cut = split.mincut(source=src, target=dst, capacity=caps)
    return sorted(nodes[ids[e]] for e in cut.cut if e < m)


def _index(G: nx.Graph, nodes: list[Any]) -> dict[Any, int]:
    """Vertex ids by node, cached beside the igraph conversion."""
    hit = _INDEX.get(G)
    if hit is None or len(hit) != len(nodes):
        hit = {v: i for i, v in enumerate(nodes)}
        _INDEX[G] = hit
    return hit


def adjacency(G: nx.Graph, mode: str = "all") -> tuple[list[list[int]], dict[Any, int]]:
    """Neighbour lists by vertex id (``mode``: ``all``, ``out`` or ``in``) and the vertex id
    of every node, from the igraph conversion: integer lists make the pure-Python sweeps
    (robustness curves) several times faster than networkx's string-keyed dicts."""
    g, nodes = to_igraph(G)
    per = _ADJ.setdefault(G, {})
    hit = per.get(mode)
    if hit is None or hit[0] is not g:  # made from this conversion, or made again
        hit = (g, g.get_adjlist(mode=mode))
        per[mode] = hit
    return hit[1], _index(G, nodes)


def edge_arrays(G: nx.Graph) -> tuple[Any, Any, dict[Any, int]]:
    """The edges of the igraph conversion as two numpy arrays of vertex ids (sources,
    targets) and the vertex id of every node, cached like :func:`adjacency`."""
    import numpy as np

    g, nodes = to_igraph(G)
    per = _ADJ.setdefault(G, {})
    hit = per.get("edges")
    if hit is None or hit[0] is not g:
        e = np.array(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        hit = (g, [e[:, 0].copy(), e[:, 1].copy()])
        per["edges"] = hit
    return hit[1][0], hit[1][1], _index(G, nodes)


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
    with seeded(seed):
        part = u.community_leiden(
            objective_function="modularity", resolution=resolution, n_iterations=-1
        )
    comms = sorted((sorted(nodes[i] for i in c) for c in part), key=lambda c: (-len(c), str(c[0])))
    return comms, float(u.modularity(part.membership, resolution=resolution))
