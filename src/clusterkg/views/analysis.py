"""The heavy analytics a request can cause, run in a killable query worker with a size cap.

Failure scenarios (``/api/scenario``, ``/api/scenario/selection``), the resilience report
(``/api/resilience``), centralities (``/api/centrality``) and the first generation of the
synthetic network each run through ``kg.engine.call`` (:mod:`clusterkg.store.workers`): in a
query worker under the query time limit and memory ceiling when the engine has workers (the
server), in this process otherwise (the CLI, the Python API). So a plain request cannot hold
the server's CPU past the limit, and a runaway computation dies with its worker.

Networks cross the worker pipe as :class:`PackedNetwork`: pickled once by the server (and
cached with the network, per state of the store), unpickled once per worker (a worker lives as
long as the store does not change). A network above ``analysis_max_nodes`` /
``analysis_max_edges`` (``CLUSTERKG_ANALYSIS_MAX_NODES`` / ``_EDGES``) is refused with 422
before any work: it would neither finish in time nor cross the pipe at a modest size. What
comes back is JSON-sized: reports, at most ``top`` rows.

The generated synthetic network (a selection with synthetic data on a store without a
synthetic graph) is built in a worker from a copy of the store's data
(:func:`generated_supply`, which dumps the worker's own copy or view of the store), the
generator's planned size checked against the cap first.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx

from clusterkg.config import Settings
from clusterkg.errors import UnusableInput
from clusterkg.store.backends import Backend

#: Networks a worker keeps unpickled (one per graph selection in use, a few at most).
UNPACKED_KEPT = 3


class NetworkTooLarge(UnusableInput):
    """A network above the analysis caps: refused (422) before any work."""

    http_status = 422


@dataclass(frozen=True)
class PackedNetwork:
    """A network as pickle bytes, named by their digest, with its size."""

    digest: str
    data: bytes
    nodes: int
    edges: int


def pack(G: nx.DiGraph) -> PackedNetwork:
    """``G`` as a :class:`PackedNetwork`."""
    data = pickle.dumps(G, protocol=pickle.HIGHEST_PROTOCOL)
    return PackedNetwork(
        hashlib.sha256(data).hexdigest(), data, G.number_of_nodes(), G.number_of_edges()
    )


#: In each worker: the networks it has unpickled, by digest, least recently used first.
_unpacked: OrderedDict[str, nx.DiGraph] = OrderedDict()


def unpack(network: PackedNetwork) -> nx.DiGraph:
    """The network of ``network``, unpickled once per process (callers must not change it)."""
    G = _unpacked.get(network.digest)
    if G is None:
        G = pickle.loads(network.data)  # noqa: S301 - bytes this program pickled itself
        _unpacked[network.digest] = G
        while len(_unpacked) > UNPACKED_KEPT:
            _unpacked.popitem(last=False)
    else:
        _unpacked.move_to_end(network.digest)
    return G


def check_network(nodes: int, edges: int, settings: Settings, what: str = "supply network") -> None:
    """Refuse (422) a network above the analysis caps of ``settings``."""
    max_nodes, max_edges = settings.analysis_max_nodes, settings.analysis_max_edges
    if nodes > max_nodes or edges > max_edges:
        raise NetworkTooLarge(
            f"the {what} has {nodes} nodes and {edges} edges; the server analyses at most "
            f"{max_nodes} nodes and {max_edges} edges (CLUSTERKG_ANALYSIS_MAX_NODES, "
            "CLUSTERKG_ANALYSIS_MAX_EDGES): choose a smaller graph selection, or run the "
            "analysis with the clusterkg command, which has no such cap"
        )


# ------------------------------------------------------------------ run in a query worker


def generated_supply(store: Backend, graphs: str, settings: Settings) -> PackedNetwork:
    """The supply network of selection ``graphs`` over the data of ``store`` (a store backend:
    in the server, the query worker's own copy or view, dumped there) and the generator's
    network (seed 0, scale 1), packed; in a private in-memory store.

    The generator's planned firm count is checked against the node cap before it runs, and
    the projection against both caps before it is packed.
    """
    from clusterkg.analytics.generate import calibration, generate
    from clusterkg.analytics.projection import supply_network
    from clusterkg.store.kg import open_kg
    from clusterkg.vocab import SYNTHETIC_GRAPH

    # An empty in-memory store with the same limits (projections set their own).
    private = open_kg(replace(settings, store="memory", load_bundled=False, data=()))
    try:
        private.backend.load_data(store.dump("nquads"), "nquads", None)
        cal = calibration(private)
        planned = sum(cal.vehicles.values()) + sum(cal.parts.values())
        if planned > settings.analysis_max_nodes:
            check_network(planned, 0, settings, "synthetic network the generator would make")
        text, _ = generate(private)
        private.backend.load_data(text.encode(), "trig", None)
        # Queries without default-graph-uri read the default graph (the merge of the files).
        private.backend.merge_into_default(str(SYNTHETIC_GRAPH))
        G = supply_network(private, graphs)
    finally:
        private.close()
    check_network(G.number_of_nodes(), G.number_of_edges(), settings)
    return pack(G)


def resilience_report(
    network: PackedNetwork, all_firms: bool, robustness: tuple[int, int] | None
) -> dict[str, Any]:
    """The body of ``/api/resilience`` but for ``synthetic`` and ``graph``; ``robustness``:
    ``(trials, seed)`` of the R-indices, or ``None`` for none. Every row whose figures rest on
    generated links carries ``synthetic`` and ``synthetic_links`` (docs/analytics.md)."""
    from clusterkg.analytics import resilience as rs
    from clusterkg.analytics import single_points as sp
    from clusterkg.analytics.projection import synthetic_link_total

    G = unpack(network)
    crit = rs.critical_nodes(G)
    generated = synthetic_link_total(G)
    body: dict[str, Any] = {
        "sourcing": rs.sourcing(G),
        "self_sufficiency": rs.self_sufficiency(G),
        "articulation_points": crit.articulation_points,
        "bridges": [list(b) for b in crit.bridges],
        "oems": crit.per_oem,
        "critical_explained": sp.CRITICAL_NODES_EXPLAINED,
        # Single points of failure under the scenarios' AND cascade, per firm, region, cluster.
        **sp.report(G, all_firms=all_firms),
    }
    if robustness is not None:
        trials, seed = robustness
        body["robustness"] = [
            {
                "strategy": s,
                "R_lcc": r.r_lcc,
                "R_lcc_std": r.r_lcc_std,
                "R_oem": r.r_oem,
                "R_oem_std": r.r_oem_std,
                "oems": r.parameters["oems"],
                "oems_left_out": r.parameters["oems_left_out"],
                "fractions": r.fractions,
                "lcc_mean": r.lcc_mean,
                "oem_mean": r.oem_mean,
                # a curve over the whole network rests on every generated link of it
                "synthetic": generated > 0,
                "synthetic_links": generated,
            }
            for s in ("random", "degree", "betweenness")
            for r in [rs.robustness(G, s, trials=trials, seed=seed)]
        ]
    return body


def cluster_resilience(network: PackedNetwork, iri: str) -> dict[str, Any]:
    """The network part of a cluster dashboard's resilience summary
    (:func:`clusterkg.views.dashboards.resilience_summary`): the sourcing rows of the
    cluster's customers and the single-sourced ones, the cluster's self-sufficiency row, and
    the R-index (Schneider et al. 2011) of the cluster's part of the network (its members,
    their suppliers and customers) under degree-targeted removal."""
    from clusterkg.analytics.resilience import robustness, self_sufficiency, sourcing

    S = unpack(network)
    rows = [
        r
        for r in sourcing(S)
        if r["cluster"] == iri or iri in (S.nodes[r["customer"]].get("clusters") or [])
    ]
    part = {n for n, a in S.nodes(data=True) if iri in (a.get("clusters") or [])}
    for n in list(part):
        part |= set(S.predecessors(n)) | set(S.successors(n))
    sub: nx.DiGraph = nx.DiGraph(S.subgraph(part))
    return {
        "sourcing_rows": len(rows),
        "single_sourced": [
            {
                "customer": r["customer_label"],
                "item": r["item"].rsplit("/", 1)[-1],
                "synthetic": r["synthetic"],
            }
            for r in rows
            if r["single_sourced"]
        ],
        "self_sufficiency": next((r for r in self_sufficiency(S) if r["cluster"] == iri), None),
        "r_index": robustness(sub, "degree").r_lcc if sub.number_of_nodes() else None,
        "network_nodes": sub.number_of_nodes(),
    }


def scenario_report(
    network: PackedNetwork, chosen: dict[str, Any], mode: str, theta: float
) -> dict[str, Any]:
    """A scenario's report (``to_dict``) with the labels of what failed or was removed;
    ``chosen``: the arguments of :func:`~clusterkg.analytics.scenarios.run_scenario`."""
    from clusterkg.analytics.scenarios import run_scenario

    G = unpack(network)
    report = run_scenario(G, **chosen, mode=mode, theta=theta, missing="note")
    out = report.to_dict()
    out["labels"] = {
        n: str(G.nodes[n].get("label", n)) for n in set(report.failed) | set(report.removed)
    }
    return out


def scenario_selection(network: PackedNetwork, chosen: dict[str, Any]) -> dict[str, Any]:
    """What a scenario's criteria select (:func:`~clusterkg.analytics.scenarios.select_nodes`),
    with the names it could not find under ``missing``."""
    from clusterkg.analytics.scenarios import select_nodes

    missing: list[str] = []
    picked = select_nodes(
        unpack(network),
        firms=chosen["remove"],
        regions=chosen["remove_regions"],
        outside=chosen["keep_regions"],
        kinds=chosen["kinds"],
        clusters=chosen["clusters"],
        missing=missing,
    )
    return {**picked, "nodes": picked["nodes"][:200], "missing": missing}


def centrality_rows(
    network: PackedNetwork,
    metrics: tuple[str, ...],
    seed: int,
    k: int,
    sort_by: str,
    top: int,
) -> dict[str, Any]:
    """The ``top`` rows of the centralities of the network, highest ``sort_by`` first, with
    labels, the marks of :func:`~clusterkg.analytics.centrality.mark_synthetic`, and the
    method and notes of :func:`~clusterkg.analytics.centrality.compute`."""
    from clusterkg.analytics.centrality import compute, mark_synthetic

    G = unpack(network)
    res = compute(G, metrics=metrics, seed=seed, k=k)
    rows = mark_synthetic(G, res.table())
    for r in rows:
        r["label"] = G.nodes[r["node"]].get("label")
    rows.sort(key=lambda r: (-(r.get(sort_by) or 0.0), r["node"]))
    return {"method": res.method, "notes": res.notes, "rows": rows[:top]}
