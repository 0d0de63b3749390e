"""Centrality of the supply network (definitions and citations in docs/analytics.md).

- degree (in, out) and strength (value-weighted in/out degree; Barrat et al. 2004);
- betweenness (Freeman 1977; Brandes 2001), exact at every size by igraph
  (:mod:`clusterkg.analytics.kernels`); only a caller that sets ``exact_threshold`` below the
  node count gets the estimate from ``k`` seeded sample sources among those that can
  contribute (Brandes & Pich 2007), computed by the block Brandes pass on sparse matrices;
- PageRank (Brin & Page 1998) with damping 0.85, exact (igraph's PRPACK solves the linear
  system; Gleich 2015);
- Katz (Katz 1953) with ``alpha`` below 1/lambda_max, and eigenvector centrality
  (Bonacich 1972) of the undirected projection; non-convergence yields ``None`` scores and a
  note, never an exception;
- closeness (Wasserman & Faust 1994 variant for disconnected graphs) and harmonic
  (Marchiori & Latora 2000; Boldi & Vigna 2014), both on incoming distances (how close a
  firm is to its suppliers), exact by igraph up to the threshold (at every size by default),
  estimated from sampled sources above it (Eppstein & Wang 2004).

networkx remains the reference: :func:`exact_paths` (the block Brandes pass) and networkx's own
functions give the same scores (tests/analytics/test_kernels.py). Katz and eigenvector stay in
networkx/scipy, where networkx's backend dispatch (``NETWORKX_BACKEND_PRIORITY``) applies.
"""

from __future__ import annotations

import math
import random
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from clusterkg.analytics import kernels
from clusterkg.analytics.projection import (
    synthetic_components,
    synthetic_inbound,
    synthetic_outbound,
)

#: Above this many nodes, betweenness, closeness and harmonic are estimated from samples.
#: igraph computes them exactly in well under a second at 100,000 firms (benchmarks/), so the
#: default makes them exact at every size this machine holds; a caller may still ask for the
#: sampled estimate by passing a lower threshold.
EXACT_THRESHOLD = 10_000_000
#: Sources processed together by the block Brandes pass (memory: about 6 x 8 x n x BLOCK bytes).
BLOCK = 128
#: Default number of sample sources for the estimates.
DEFAULT_K = 256

METRICS = (
    "in_degree",
    "out_degree",
    "in_strength",
    "out_strength",
    "betweenness",
    "pagerank",
    "katz",
    "eigenvector",
    "closeness",
    "harmonic",
)


@dataclass
class CentralityResult:
    """Scores per metric (``None`` for a metric that did not converge) and how they were made."""

    scores: dict[str, dict[str, float] | None]
    method: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """One row per node with every metric, in node order."""
        nodes = sorted({n for s in self.scores.values() if s for n in s})
        return [
            {"node": n, **{m: (s.get(n) if s else None) for m, s in self.scores.items()}}
            for n in nodes
        ]


def mark_synthetic(G: nx.DiGraph, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark each centrality row (``node`` key) whose scores rest on generated data:
    ``synthetic`` when its weakly connected component holds a generated link (path-based
    scores - betweenness, closeness, Katz, eigenvector, PageRank - depend on every link of it),
    ``synthetic_links`` the generated links at the node itself (what its degree and strength
    count). A real node with generated customers is thus marked; the rows are changed in place
    and returned."""
    component = synthetic_components(G)
    inbound, outbound = synthetic_inbound(G), synthetic_outbound(G)
    for r in rows:
        n = r["node"]
        r["synthetic"] = bool(component.get(n, 0))
        r["synthetic_links"] = inbound.get(n, 0) + outbound.get(n, 0)
    return rows


def strength(G: nx.DiGraph, direction: str) -> dict[str, float]:
    """Value-weighted degree: the sum of the known annual values (``weight``) of in/out edges."""
    deg = G.in_degree if direction == "in" else G.out_degree
    return {n: float(v) for n, v in deg(weight="weight")}


def contributing_sources(G: nx.DiGraph) -> list[str]:
    """Nodes with a successor that has a successor: only they can have others *between*.

    A source s whose successors have no successors has every shortest path of length 1,
    so its dependency delta_s(v) is 0 for every v: leaving it out changes no exact
    betweenness score, and sampling among the rest wastes no draw on it.
    """
    succ = G._succ
    return [s for s in G if any(succ[w] for w in succ[s])]


def _block_brandes(
    G: nx.DiGraph, sources: list[str], *, block: int = BLOCK, progress: str | None = None
) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Brandes (2001) for many sources at once, on sparse matrices.

    For a block of B sources the breadth-first searches advance together, one level per
    sparse-matrix x dense-block product (path counts sigma); then the dependencies
    ``delta_s(v) = sum_{w: v in P_s(w)} sigma_sv/sigma_sw (1 + delta_s(w))`` are accumulated
    level by level backwards with the transposed product: the algebraic form of Brandes'
    algorithm (Kepner & Gilbert 2011, Graph Algorithms in the Language of Linear Algebra,
    ch. 6). Returns the node index, the summed dependencies (unnormalised betweenness over
    ``sources``) and, per node, the number of ``sources`` that reach it, the sum of their
    distances to it and the sum of 1/distance.
    """
    nodes = list(G)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr", dtype=float)
    A.data[:] = 1.0
    AT = A.T.tocsr()
    src = np.array([index[s] for s in sources], dtype=np.int64)
    bc, reach, dsum, hsum = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    starts = range(0, len(src), block)
    every = max(1, len(starts) // 10)
    for b, start in enumerate(starts):
        if progress and b % every == 0:
            print(
                f"{progress}: sources {start + 1}-{min(start + block, len(src))} of {len(src)}",
                file=sys.stderr,
                flush=True,
            )
        idx = src[start : start + block]
        cols = np.arange(len(idx))
        dist = np.full((n, len(idx)), -1, dtype=np.int32)
        sigma = np.zeros((n, len(idx)))
        dist[idx, cols] = 0
        sigma[idx, cols] = 1.0
        frontier = sigma.copy()
        depth = 0
        while True:
            nxt = AT @ frontier  # shortest-path counts into each node from the current level
            new = (nxt > 0) & (dist < 0)
            if not new.any():
                break
            depth += 1
            dist[new] = depth
            sigma[new] = nxt[new]
            frontier = np.where(new, nxt, 0.0)
            hits = new.sum(axis=1)
            reach += hits
            dsum += hits * depth
            hsum += hits / depth
        delta = np.zeros_like(sigma)
        for level in range(depth, 0, -1):
            at = dist == level
            coef = np.zeros_like(sigma)
            coef[at] = (1.0 + delta[at]) / sigma[at]
            prev = dist == level - 1
            delta[prev] += sigma[prev] * (A @ coef)[prev]
        delta[idx, cols] = 0.0
        bc += delta.sum(axis=1)
    return index, bc, reach, dsum, hsum


def _scale(n: int) -> float:
    """networkx's normalisation of directed betweenness: 1/((n-1)(n-2))."""
    return 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0


def betweenness(
    G: nx.DiGraph,
    *,
    exact_threshold: int = EXACT_THRESHOLD,
    k: int = DEFAULT_K,
    seed: int = 0,
    progress: bool = False,
) -> tuple[dict[str, float], str]:
    """Normalised shortest-path betweenness; exact, or sampled with ``k`` sources and ``seed``.

    Exact: igraph's Brandes (:func:`clusterkg.analytics.kernels.betweenness`). Sampled: ``k`` sources drawn uniformly without replacement among the m contributing
    ones, scaled by m/k (Brandes & Pich 2007, restricted to the sources that can contribute:
    still unbiased, with less variance). For each node the error exceeds ``eps`` with
    probability at most ``2 exp(-2 k eps^2)`` (Hoeffding's bound).
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}, "empty graph"
    if n <= exact_threshold:
        return kernels.betweenness(G), "exact"
    useful = contributing_sources(G)
    label = "betweenness" if progress else None
    if k >= len(useful):
        return kernels.betweenness(G), "exact"
    chosen = random.Random(seed).sample(sorted(useful), k)
    index, bc, *_ = _block_brandes(G, chosen, progress=label)
    scale = _scale(n) * len(useful) / k
    how = f"sampled (k={k} of {len(useful)} contributing sources, seed={seed})"
    return {v: float(bc[i]) * scale for v, i in index.items()}, how


def _distance_sums(G: nx.DiGraph, sources: list[str]) -> tuple[dict, dict, dict]:
    """Per node: number of sampled sources reaching it, sum of distances, sum of 1/distance."""
    reach: dict[str, int] = dict.fromkeys(G, 0)
    dsum: dict[str, float] = dict.fromkeys(G, 0.0)
    hsum: dict[str, float] = dict.fromkeys(G, 0.0)
    succ = G._succ
    for s in sources:
        dist = {s: 0}
        queue = deque([s])
        while queue:
            u = queue.popleft()
            du = dist[u] + 1
            for v in succ[u]:
                if v not in dist:
                    dist[v] = du
                    queue.append(v)
        for v, d in dist.items():
            if d:
                reach[v] += 1
                dsum[v] += d
                hsum[v] += 1.0 / d
    return reach, dsum, hsum


def exact_paths(
    G: nx.DiGraph, *, progress: bool = False
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Exact betweenness, closeness and harmonic centrality from ONE block Brandes pass.

    The pass runs from the contributing sources (:func:`contributing_sources`); every other
    source reaches only its successors, at distance 1, which is added directly.
    """
    n = G.number_of_nodes()
    useful = contributing_sources(G)
    index, bc, reach, dsum, hsum = _block_brandes(
        G, useful, progress="shortest paths" if progress else None
    )
    many = set(useful)
    for s in G:
        if s not in many:
            for w in G._succ[s]:
                i = index[w]
                reach[i] += 1
                dsum[i] += 1
                hsum[i] += 1
    scale = _scale(n)
    between = {v: float(bc[i]) * scale for v, i in index.items()}
    closeness = {
        v: float(reach[i] / dsum[i] * reach[i] / (n - 1)) if dsum[i] > 0 else 0.0
        for v, i in index.items()
    }
    return between, closeness, {v: float(hsum[i]) for v, i in index.items()}


def closeness_harmonic(
    G: nx.DiGraph, *, exact_threshold: int = EXACT_THRESHOLD, k: int = DEFAULT_K, seed: int = 0
) -> tuple[dict, dict, str]:
    """Closeness (Wasserman-Faust) and harmonic centrality on incoming distances.

    Exact (igraph, :func:`clusterkg.analytics.kernels.closeness_harmonic`) up to
    ``exact_threshold`` nodes; above it, from ``k`` sampled sources:
    harmonic ``H(v) ~ (n-1)/k * sum_{s in S} 1/d(s,v)`` and closeness from the sampled
    reach count and distance sum scaled the same way (Eppstein & Wang 2004).
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}, {}, "empty graph"
    if n <= exact_threshold or k >= n:
        closeness, harmonic = kernels.closeness_harmonic(G)
        return closeness, harmonic, "exact"
    rng = random.Random(seed)
    sources = rng.sample(sorted(G.nodes), k)
    reach, dsum, hsum = _distance_sums(G, sources)
    scale = (n - 1) / k
    harmonic = {v: hsum[v] * scale for v in G}
    closeness = {}
    for v in G:
        r = reach[v] * scale  # estimated number of other nodes that reach v
        closeness[v] = (reach[v] / dsum[v]) * (r / (n - 1)) if dsum[v] > 0 else 0.0
    return closeness, harmonic, f"sampled (k={k}, seed={seed})"


def katz(
    G: nx.DiGraph,
    *,
    alpha: float | None = None,
    beta: float = 1.0,
) -> tuple[dict[str, float] | None, str]:
    """Katz centrality ``x = (I - alpha A^T)^-1 beta 1``, normalised to unit Euclidean length.

    Solved as a sparse linear system (no power iteration). ``alpha`` defaults to
    ``0.85 / lambda_max`` (lambda_max of the adjacency matrix; 0.1 for acyclic graphs, whose
    lambda_max is 0). If ``alpha >= 1/lambda_max`` the series diverges and ``None`` is returned.
    """
    nodes = list(G)
    if not nodes:
        return {}, "empty graph"
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr", dtype=float)
    # An acyclic graph's adjacency matrix is nilpotent (lambda_max = 0 exactly); numerically
    # its eigenvalues come out as noise, so decide it structurally.
    lam = 0.0 if nx.is_directed_acyclic_graph(G) else spectral_radius(A)
    if alpha is None:
        alpha = 0.85 / lam if lam > 1e-9 else 0.1
    if lam > 1e-9 and alpha >= 1.0 / lam:
        return None, f"alpha={alpha:g} >= 1/lambda_max={1 / lam:g}: the Katz series diverges"
    M = sp.identity(len(nodes), format="csc") - alpha * A.T.tocsc()
    x = spla.spsolve(M, np.full(len(nodes), beta))
    norm = float(np.linalg.norm(x))
    if not np.all(np.isfinite(x)) or norm == 0:
        return None, "the Katz system is singular"
    scores = {n: float(v) / norm for n, v in zip(nodes, x, strict=True)}
    return scores, f"alpha={alpha:.6g}, beta={beta:g}"


def spectral_radius(A: sp.sparray) -> float:
    """The largest absolute eigenvalue of a sparse square matrix (0 for an empty one)."""
    n = A.shape[0]
    if n == 0 or A.nnz == 0:
        return 0.0
    if n < 3:
        return float(max(abs(np.linalg.eigvals(A.toarray()))))
    try:
        vals = spla.eigs(
            A.astype(float), k=1, which="LM", return_eigenvectors=False, maxiter=n * 20, tol=1e-6
        )
        return float(abs(vals[0]))
    except (spla.ArpackNoConvergence, ValueError):
        return float(max(abs(np.linalg.eigvals(A.toarray())))) if n <= 3000 else 0.0


def eigenvector(G: nx.Graph) -> tuple[dict[str, float] | None, str]:
    """Eigenvector centrality of the undirected projection; ``None`` with a note if undefined.

    The directed supply network is nearly acyclic, so its adjacency matrix has no useful
    Perron vector; the undirected projection does. Computed exactly by igraph's ARPACK
    (:func:`clusterkg.analytics.kernels.eigenvector`): networkx's power iteration converges
    slowly on the nearly bipartite tiered projection (29 s on the national network, to a
    tolerance of n x 1e-6 in the L1 norm; igraph 0.16 s).
    """
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    if U.number_of_edges() == 0:
        return None, "no edges: eigenvector centrality is undefined"
    scores = kernels.eigenvector(G)
    if len(kernels.weak_component_sizes(G)) > 1:
        return (
            scores,
            "undirected projection (ARPACK); disconnected: the component with the largest eigenvalue",
        )
    return scores, "undirected projection (ARPACK)"


def compute(
    G: nx.DiGraph,
    *,
    metrics: tuple[str, ...] = METRICS,
    exact_threshold: int = EXACT_THRESHOLD,
    k: int = DEFAULT_K,
    seed: int = 0,
    katz_alpha: float | None = None,
    progress: bool = False,
) -> CentralityResult:
    """Every requested centrality of ``G`` (see the module docstring for definitions).

    With ``progress``, each metric and the betweenness pass report on stderr.
    """

    def step(name: str) -> None:
        if progress:
            print(f"centrality: {name} ({G.number_of_nodes()} nodes)", file=sys.stderr, flush=True)

    unknown = set(metrics) - set(METRICS)
    if unknown:
        raise ValueError(f"unknown metrics: {', '.join(sorted(unknown))}")
    res = CentralityResult(
        scores={},
        parameters={
            "metrics": list(metrics),
            "exact_threshold": exact_threshold,
            "k": k,
            "seed": seed,
            "katz_alpha": katz_alpha,
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
        },
    )
    if "in_degree" in metrics:
        step("in_degree")
        res.scores["in_degree"] = {n: float(d) for n, d in G.in_degree()}
    if "out_degree" in metrics:
        res.scores["out_degree"] = {n: float(d) for n, d in G.out_degree()}
    if "in_strength" in metrics:
        res.scores["in_strength"] = strength(G, "in")
    if "out_strength" in metrics:
        res.scores["out_strength"] = strength(G, "out")
    if "betweenness" in metrics and "betweenness" not in res.scores:
        step("betweenness")
        res.scores["betweenness"], res.method["betweenness"] = betweenness(
            G, exact_threshold=exact_threshold, k=k, seed=seed, progress=progress
        )
    if "pagerank" in metrics:
        step("pagerank")
        try:
            res.scores["pagerank"] = kernels.pagerank(G, alpha=0.85)
            res.method["pagerank"] = "damping 0.85, exact (PRPACK)"
        except ig.InternalError as exc:
            res.scores["pagerank"] = None
            res.notes.append(f"pagerank: PRPACK failed ({exc})")
    if "katz" in metrics:
        step("katz")
        res.scores["katz"], res.method["katz"] = katz(G, alpha=katz_alpha)
        if res.scores["katz"] is None:
            res.notes.append("katz: " + res.method["katz"])
    if "eigenvector" in metrics:
        step("eigenvector")
        res.scores["eigenvector"], res.method["eigenvector"] = eigenvector(G)
        if res.scores["eigenvector"] is None:
            res.notes.append("eigenvector: " + res.method["eigenvector"])
    if {"closeness", "harmonic"} & set(metrics) - set(res.scores):
        step("closeness and harmonic")
        clo, har, how = closeness_harmonic(G, exact_threshold=exact_threshold, k=k, seed=seed)
        if "closeness" in metrics:
            res.scores["closeness"], res.method["closeness"] = clo, how
        if "harmonic" in metrics:
            res.scores["harmonic"], res.method["harmonic"] = har, how
    return res


def hoeffding_epsilon(k: int, delta: float) -> float:
    """The error ``eps`` that one sampled betweenness score exceeds with probability <= delta."""
    return math.sqrt(math.log(2 / delta) / (2 * k))
