"""Single points of failure of a supply network under the AND cascade.

A node x is a *single point of failure* of a target t (an OEM, or any firm on request) when
removing x alone makes t fail under the cascade rule of
:func:`clusterkg.analytics.resilience.cascade`: a firm fails when, for some production input
it buys, every supplier of that item has failed (AND across items, OR across the suppliers of
one item). Services (cloud and digital platforms, technical services:
:mod:`clusterkg.analytics.items`) are no production input: their sole providers are listed
apart (:func:`service_dependencies`), not counted as production failure. The OEMs include the
groups of vehicle makers a source gives as aggregates
(:func:`clusterkg.analytics.items.vehicle_maker_group`). In the supply-risk literature this is sole-source exposure (Tang 2006; Sheffi 2005):
the "item chain" of an entry says which single-sourced item each target lost and through which
suppliers the failure travelled.

Computed exactly, by one cascade per candidate on a :class:`CascadeModel` built once: a
cascade visits only the successors of the nodes that fail, and a node can start one only if it
is the sole supplier of some item of some customer (otherwise nothing fails in round 1), so
the other nodes are skipped without a cascade. An enterprise that operates production sites is
also a candidate, removed with all its sites (as scenarios remove it). The same ranking is made
for the loss of a whole region (every node located in it or in any of its sub-regions) and of a
whole cluster (every member).

This is the AND-OR counterpart of the OR-reachability measures of
:func:`clusterkg.analytics.resilience.critical_nodes`; :data:`CRITICAL_NODES_EXPLAINED` says
why the two disagree.

References
----------
- S. V. Buldyrev, R. Parshani, G. Paul, H. E. Stanley, S. Havlin, "Catastrophic cascade of
  failures in interdependent networks", Nature 464 (2010) 1025-1028 (AND-type dependency).
- C. S. Tang, "Perspectives in supply chain risk management", Int. J. Production Economics
  103 (2006) 451-488 (single sourcing as a supply risk).
- Y. Sheffi, *The Resilient Enterprise*, MIT Press 2005.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from clusterkg.analytics import items as it
from clusterkg.analytics.resilience import (
    CascadeModel,
    CascadeResult,
    inbound_by_item,
    lost_supply,
    synthetic_by_item,
)

#: What the critical-nodes report's OR measures mean, and why they can be high while a
#: single-sourced item still makes the OEM fail (shown beside that report).
CRITICAL_NODES_EXPLAINED = (
    "Node connectivity and dominators treat the supply network as plumbing: an OEM counts as "
    "supplied as long as ANY path still reaches it from the supply base. Its node connectivity "
    "is the least number of firms whose removal cuts every such path (Menger 1927); a dominator "
    "is a firm on every path (Lengauer & Tarjan 1979). Both look at the OEM's suppliers as "
    "alternatives to one another. A vehicle maker needs every one of its inputs, though: "
    "batteries AND motors AND controls. The cascade (and the single points of failure list) "
    "makes a firm fail when, for ANY one item it buys, EVERY supplier of that item has failed. "
    "So an OEM with ten suppliers of chassis and one supplier of batteries has a high "
    "connectivity and no dominator (the chassis paths survive), yet the loss of the one battery "
    "maker, or of that maker's only supplier of some input, stops it. Read connectivity and "
    "dominators as a lower bound of exposure; the single points of failure are the firms whose "
    "loss alone stops an OEM."
)


#: The failure rule, as the report states it.
RULE = (
    "a firm fails when, for some production input it buys, every supplier of that item has "
    "failed (AND across items, OR across the suppliers of one item); groups of vehicle makers "
    "count as OEMs; " + it.SERVICES_RULE
)


def _is_target(G: nx.DiGraph, all_firms: bool) -> dict[str, bool]:
    return {n: (True if all_firms else bool(a.get("oem"))) for n, a in G.nodes(data=True)}


def _entry(
    G: nx.DiGraph,
    res: CascadeResult,
    removed: set[str],
    target: dict[str, bool],
    model: CascadeModel,
) -> dict[str, Any]:
    """The damage of one cascade: targets lost by cascade with their item chain, targets
    removed outright, cascaded firms and supply value at risk."""
    lost = sorted(n for n in res.failed if n not in removed and target[n])
    oems_removed = sorted(n for n in removed if target[n])
    supply = lost_supply(G, res.failed, model)
    return {
        "oems": lost,
        "oems_removed": oems_removed,
        "oems_lost": len(lost) + len(oems_removed),
        "items": [{"oem": o, "item": res.cause[o][0], "chain": res.chain(o)} for o in lost],
        "cascaded": len(res.failed) - len(removed),
        "value_at_risk": supply["value"],
        "value_to_oems": supply["value_to_oems"],
        "links_at_risk": supply["links"],
        **model.synthetic_exposure(res.failed),
    }


def _rank(entries: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda e: (-e["oems_lost"], -e["value_at_risk"], e[key]))


def candidates(G: nx.DiGraph, model: CascadeModel) -> dict[str, set[str]]:
    """Each candidate single point of failure and the nodes its loss removes: every sole
    supplier (itself), and every enterprise that operates sites (itself, if in the network,
    and all its sites)."""
    out = {x: {x} for x in model.sole_suppliers()}
    sites: dict[str, set[str]] = defaultdict(set)
    for n, a in G.nodes(data=True):
        if a.get("operator"):
            sites[a["operator"]].add(n)
    for op, group in sites.items():
        out[op] = group | ({op} if op in G else set())
    return out


def single_points_of_failure(
    G: nx.DiGraph, *, all_firms: bool = False, model: CascadeModel | None = None
) -> dict[str, Any]:
    """The nodes whose single failure makes at least one OEM (or, with ``all_firms``, any other
    firm) fail under the AND cascade, ranked by targets lost, then supply value at risk.

    Each entry: ``node``, ``label``, ``kind``, ``removed`` (the node, or an enterprise with its
    sites), ``oems`` (targets failing by cascade), ``items`` (per target: the item it could no
    longer source and the ``chain`` of customer/item/supplier steps back to ``node``),
    ``cascaded`` (firms failing by cascade), ``value_at_risk`` (known annual value of every
    link whose supplier fails, summed over tiers), ``value_to_oems`` (the part delivered to
    OEMs), ``links_at_risk``, and ``synthetic`` / ``synthetic_links``: whether the entry rests
    on generated data and how many of the links at risk are generated
    (:meth:`CascadeModel.synthetic_exposure`; a real node with generated customers is such an
    entry). ``by_target`` maps each target to its single points.
    """
    model = model or CascadeModel(G)
    target = _is_target(G, all_firms)
    entries = []
    by_target: dict[str, list[str]] = defaultdict(list)
    for node, removed in sorted(candidates(G, model).items()):
        res = model.run(removed)
        e = _entry(G, res, removed, target, model)
        if not e["oems"]:
            continue
        a = G.nodes[node] if node in G else {}
        entries.append(
            {
                "node": node,
                "label": a.get("label", node.rsplit("/", 1)[-1]),
                "kind": a.get("kind"),
                "region": a.get("region"),
                "cluster": a.get("cluster"),
                "removed": sorted(removed),
                **e,
            }
        )
        for o in e["oems"]:
            by_target[o].append(node)
    return {
        "single_points_of_failure": _rank(entries, "node"),
        "by_target": {t: sorted(v) for t, v in sorted(by_target.items())},
        "targets": "all firms" if all_firms else "OEMs",
    }


def service_dependencies(G: nx.DiGraph, *, all_firms: bool = False) -> list[dict[str, Any]]:
    """The sole providers of a service (:func:`clusterkg.analytics.items.is_service`) to
    OEMs (or, with ``all_firms``, to any firm): reported, but not counted as production failure
    (a service is no production input, :mod:`clusterkg.analytics.items`). Each entry: ``node``,
    ``label``, ``kind``, ``customers`` (the targets it alone serves), ``items`` (per customer
    the service), ``counted`` (False) and ``synthetic`` / ``synthetic_links`` (generated links
    among those services), ranked by customers, then node."""
    target = _is_target(G, all_firms)
    per: dict[str, list[dict[str, str]]] = defaultdict(list)
    generated_to: dict[str, int] = defaultdict(int)
    for v in sorted(G):
        if not target[v]:
            continue
        generated = synthetic_by_item(G, v)
        for item, sups in sorted(inbound_by_item(G, v).items()):
            if it.is_service(item, G) and len(sups) == 1:
                x = next(iter(sups))
                per[x].append({"customer": v, "item": item})
                generated_to[x] += generated.get(item, 0)
    out = [
        {
            "node": x,
            "label": G.nodes[x].get("label", x.rsplit("/", 1)[-1]),
            "kind": G.nodes[x].get("kind"),
            "customers": sorted({r["customer"] for r in rows}),
            "items": rows,
            "counted": False,
            "synthetic": generated_to[x] > 0,
            "synthetic_links": generated_to[x],
        }
        for x, rows in per.items()
    ]
    return sorted(out, key=lambda e: (-len(e["customers"]), e["node"]))


def _group_losses(
    G: nx.DiGraph,
    groups: dict[str, set[str]],
    labels: dict[str, str],
    key: str,
    model: CascadeModel,
    target: dict[str, bool],
) -> list[dict[str, Any]]:
    out = []
    for g, removed in sorted(groups.items()):
        e = _entry(G, model.run(removed), removed, target, model)
        out.append(
            {key: g, "label": labels.get(g, g.rsplit("/", 1)[-1]), "removed": len(removed), **e}
        )
    return _rank(out, key)


def regions_of(G: nx.DiGraph) -> dict[str, set[str]]:
    """Each region any node lies in (``within``: its location and every region it is part
    of) and the nodes located in it or in its sub-regions."""
    groups: dict[str, set[str]] = defaultdict(set)
    for n, a in G.nodes(data=True):
        for r in a.get("within") or ():
            groups[r].add(n)
    return groups


def clusters_of(G: nx.DiGraph) -> dict[str, set[str]]:
    """Each cluster and its member nodes (``clusters`` attribute: ``ck:memberOf``)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for n, a in G.nodes(data=True):
        for c in a.get("clusters") or ():
            groups[c].add(n)
    return groups


def report(
    G: nx.DiGraph,
    *,
    all_firms: bool = False,
    regions: Iterable[str] | None = None,
    region_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON-able single-points-of-failure report: ``single_points_of_failure`` (see
    :func:`single_points_of_failure`), ``by_target``, and the loss of each whole region
    (``by_region``, with sub-regions; ``regions`` limits which) and of each whole cluster
    (``by_cluster``), each ranked the same way and carrying the same fields plus ``removed``
    (how many nodes the loss removes) and ``oems_removed`` (OEMs located there), plus the sole
    providers of services (``service_dependencies``, :func:`service_dependencies`), which are
    reported but not counted as production failure, and the ``rule``."""
    model = CascadeModel(G)
    target = _is_target(G, all_firms)
    out = single_points_of_failure(G, all_firms=all_firms, model=model)
    reg = regions_of(G)
    if regions is not None:
        wanted = set(regions)
        reg = {r: v for r, v in reg.items() if r in wanted}
    labels = dict(G.graph.get("region_labels") or {})
    labels.update(region_labels or {})
    out["by_region"] = _group_losses(G, reg, labels, "region", model, target)
    cl_labels = {c: info["label"] for c, info in (G.graph.get("clusters") or {}).items()}
    out["by_cluster"] = _group_losses(G, clusters_of(G), cl_labels, "cluster", model, target)
    out["service_dependencies"] = service_dependencies(G, all_firms=all_firms)
    out["rule"] = RULE
    out["explanation"] = CRITICAL_NODES_EXPLAINED
    return out
