"""Communities by Louvain (Blondel et al. 2008) or Leiden (Traag et al. 2019), and their
agreement with the declared clusters.

Agreement is measured with normalised mutual information (NMI, arithmetic-mean normalisation;
Strehl & Ghosh 2002, Danon et al. 2005) and the adjusted Rand index (ARI; Hubert & Arabie 1985),
both implemented here from their definitions over the contingency table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from clusterkg.analytics import kernels


def _check(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    if len(a) != len(b):
        raise ValueError(f"labelings differ in length: {len(a)} and {len(b)}")
    return len(a)


def _entropy(counts: Counter, n: int) -> float:
    return -sum(c / n * math.log(c / n) for c in counts.values() if c)


def nmi(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Normalised mutual information ``I(A;B) / ((H(A) + H(B)) / 2)`` of two labelings.

    ``I = sum_ij n_ij/n log(n n_ij / (a_i b_j))``. Two single-cluster labelings agree
    perfectly (1.0); one single-cluster and one split labeling share no information (0.0).
    """
    n = _check(a, b)
    if n == 0:
        return 1.0
    ca, cb, cab = Counter(a), Counter(b), Counter(zip(a, b, strict=True))
    ha, hb = _entropy(ca, n), _entropy(cb, n)
    if ha == 0 and hb == 0:
        return 1.0
    mi = sum(nij / n * math.log(n * nij / (ca[i] * cb[j])) for (i, j), nij in cab.items())
    denom = (ha + hb) / 2
    return max(0.0, min(1.0, mi / denom)) if denom > 0 else 0.0


def ari(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985).

    ``ARI = (sum_ij C(n_ij,2) - E) / ((sum_i C(a_i,2) + sum_j C(b_j,2)) / 2 - E)`` with
    ``E = sum_i C(a_i,2) * sum_j C(b_j,2) / C(n,2)``. 1 for identical partitions, about 0 for
    independent ones; identical trivial partitions give 1.
    """
    n = _check(a, b)

    def c2(x: int) -> float:
        return x * (x - 1) / 2

    index = sum(c2(v) for v in Counter(zip(a, b, strict=True)).values())
    sa = sum(c2(v) for v in Counter(a).values())
    sb = sum(c2(v) for v in Counter(b).values())
    if n < 2:
        return 1.0
    expected = sa * sb / c2(n)
    max_index = (sa + sb) / 2
    if max_index == expected:
        return 1.0
    return (index - expected) / (max_index - expected)


@dataclass
class CommunityResult:
    """Louvain communities (largest first), modularity and agreement with declared clusters."""

    communities: list[list[str]]
    membership: dict[str, int]
    modularity: float
    agreement: dict[str, Any]
    parameters: dict[str, Any]


def _result(
    U: nx.Graph, comms: list, modularity: float | None, weight: str | None, params: dict
) -> CommunityResult:
    """Communities largest first, membership, modularity and agreement with the clusters."""
    ordered = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    membership = {n: i for i, c in enumerate(ordered) for n in c}
    if modularity is None:
        modularity = (
            nx.community.modularity(U, [set(c) for c in ordered], weight=weight)
            if U.number_of_edges()
            else 0.0
        )
    declared = sorted(n for n in U if U.nodes[n].get("cluster"))
    found = [membership[n] for n in declared]
    truth = [U.nodes[n]["cluster"] for n in declared]
    agreement = {
        "compared": len(declared),
        "nmi": nmi(truth, found) if declared else None,
        "ari": ari(truth, found) if declared else None,
    }
    return CommunityResult(ordered, membership, modularity, agreement, params)


def louvain(
    G: nx.Graph, *, seed: int = 0, resolution: float = 1.0, weight: str | None = None
) -> CommunityResult:
    """Louvain communities of the undirected projection of ``G``, seeded.

    Agreement (NMI, ARI) is computed over the nodes that declare a cluster (``cluster``
    attribute); ``compared`` says how many nodes that is. Louvain stays in networkx, so
    networkx's backend dispatch (``NETWORKX_BACKEND_PRIORITY``) applies to it.
    """
    U = G.to_undirected() if G.is_directed() else G
    if U.number_of_nodes() == 0:
        comms: list[set] = []
    else:
        comms = nx.community.louvain_communities(U, weight=weight, resolution=resolution, seed=seed)
    return _result(
        U, comms, None, weight, {"seed": seed, "resolution": resolution, "weight": weight}
    )


def leiden(G: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> CommunityResult:
    """Leiden communities (Traag, Waltman & van Eck 2019) of the unweighted undirected
    projection, by igraph (:func:`clusterkg.analytics.kernels.leiden`), seeded; agreement as
    for :func:`louvain`. Leiden guarantees connected communities, which Louvain does not."""
    U = G.to_undirected() if G.is_directed() else G
    comms, q = kernels.leiden(G, seed=seed, resolution=resolution)
    return _result(
        U,
        comms,
        q,
        None,
        {"seed": seed, "resolution": resolution, "weight": None, "algorithm": "leiden"},
    )
