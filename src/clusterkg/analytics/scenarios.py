"""Disruption scenarios: remove firms or whole regions, cascade, and report the damage.

A scenario removes named nodes (an enterprise also takes its production sites, ``ck:operatedBy``),
every node located in a region or any of its sub-regions (``ck:locatedIn`` then ``ck:partOf``),
or every node located outside a region. The failure then propagates with
:func:`clusterkg.analytics.resilience.cascade`. The report lists failed firms, affected OEMs
(failed, or lost at least one supplier), and lost supply value (the known annual value of every
link whose supplier failed), in total and per cluster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.resilience import cascade


@dataclass
class ScenarioReport:
    """The outcome of one scenario; ``to_dict`` gives the JSON form."""

    removed: list[str]
    failed: list[str]
    cascaded: list[str]
    affected_oems: list[dict[str, Any]]
    lost_value: float
    lost_links: int
    per_cluster: dict[str, dict[str, Any]]
    rounds: int
    parameters: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    failure_round: dict[str, int] = field(default_factory=dict)
    unlinked: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters,
            "synthetic": self.synthetic,
            "removed": self.removed,
            "failed": self.failed,
            "cascaded": self.cascaded,
            "rounds": self.rounds,
            "affected_oems": self.affected_oems,
            "lost_value_cny": self.lost_value,
            "lost_links": self.lost_links,
            "per_cluster": self.per_cluster,
            "unlinked": self.unlinked,
            "notes": self.notes,
        }


def nodes_in_region(G: nx.DiGraph, region: str) -> list[str]:
    """Nodes located in ``region`` or any region that is (transitively) part of it."""
    return sorted(n for n, a in G.nodes(data=True) if region in a.get("within", []))


def nodes_outside_region(G: nx.DiGraph, region: str) -> list[str]:
    """Nodes located outside ``region``: a known location not in it, or ``ck:locatedOutside``
    it. Nodes with no location are kept."""
    return sorted(
        n
        for n, a in G.nodes(data=True)
        if (a.get("within") and region not in a["within"]) or region in a.get("outside", [])
    )


def with_sites(G: nx.DiGraph, nodes: Iterable[str]) -> set[str]:
    """``nodes`` and every production site they operate (``operator`` attribute)."""
    chosen = set(nodes)
    chosen |= {n for n, a in G.nodes(data=True) if a.get("operator") in chosen}
    return chosen


def run_scenario(
    G: nx.DiGraph,
    *,
    remove: Iterable[str] = (),
    remove_regions: Iterable[str] = (),
    keep_regions: Iterable[str] = (),
    mode: str = "and",
    theta: float = 0.5,
    located: dict[str, list[dict[str, Any]]] | None = None,
) -> ScenarioReport:
    """Remove ``remove`` (node IRIs, with the sites they operate), the nodes in
    ``remove_regions`` and the nodes outside ``keep_regions`` (region IRIs), cascade, and
    report the damage. A named firm that is not itself in the network must operate a site
    that is.

    ``located`` maps each removed region to the KG's entities located there
    (:func:`clusterkg.analytics.projection.located_entities`); those that are not in the
    supply network are reported as ``unlinked`` with a note, so that a region scenario that
    removes nothing says why (the entity exists but has no stated supply link).
    """
    remove, remove_regions, keep_regions = list(remove), list(remove_regions), list(keep_regions)
    if not (remove or remove_regions or keep_regions):
        raise AnalyticsError("a scenario needs something to remove: firms or regions")
    operators = {a.get("operator") for _, a in G.nodes(data=True)}
    missing = [n for n in remove if n not in G and n not in operators]
    if missing:
        raise AnalyticsError(f"not in the supply network: {', '.join(sorted(missing))}")
    initial = with_sites(G, remove) & set(G)
    for r in remove_regions:
        initial |= set(nodes_in_region(G, r))
    for r in keep_regions:
        initial |= set(nodes_outside_region(G, r))
    res = cascade(G, initial, mode=mode, theta=theta)
    failed = set(res.failed)
    affected = []
    for n in sorted(G):
        a = G.nodes[n]
        if not a.get("oem"):
            continue
        lost = sorted(s for s in G.predecessors(n) if s in failed)
        if n in failed or lost:
            affected.append(
                {
                    "oem": n,
                    "label": a.get("label"),
                    "cluster": a.get("cluster"),
                    "failed": n in failed,
                    "lost_suppliers": lost,
                }
            )
    lost_value, lost_links = 0.0, 0
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"failed": 0, "affected_oems": 0, "lost_value_cny": 0.0, "lost_links": 0}
    )
    for n in failed:
        per[G.nodes[n].get("cluster") or "none"]["failed"] += 1
    for rec in affected:
        per[rec["cluster"] or "none"]["affected_oems"] += 1
    for s, c, data in G.edges(data=True):
        if s not in failed:
            continue
        key = G.nodes[c].get("cluster") or "none"
        for link in data.get("links", []):
            lost_links += 1
            per[key]["lost_links"] += 1
            if link.get("value") is not None:
                lost_value += link["value"]
                per[key]["lost_value_cny"] += link["value"]
    unlinked, notes = _unlinked(G, remove_regions, located or {})
    return ScenarioReport(
        removed=res.initial,
        failed=sorted(failed),
        cascaded=res.cascaded,
        affected_oems=affected,
        lost_value=lost_value,
        lost_links=lost_links,
        per_cluster={k: per[k] for k in sorted(per)},
        rounds=res.rounds,
        parameters={
            "remove": sorted(remove),
            "remove_regions": sorted(remove_regions),
            "keep_regions": sorted(keep_regions),
            "mode": mode,
            "theta": theta if mode == "threshold" else None,
        },
        synthetic=bool(G.graph.get("synthetic")),
        failure_round=dict(res.failed),
        unlinked=unlinked,
        notes=notes,
    )


def _unlinked(
    G: nx.DiGraph, regions: list[str], located: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Entities located in the removed regions that have no supply link in ``G``, and notes."""
    which = "synthetic" if G.graph.get("synthetic") else G.graph.get("graphs", "curated")
    unlinked, notes = [], []
    for r in regions:
        in_g = nodes_in_region(G, r)
        missing = [e for e in located.get(r, []) if e["iri"] not in G]
        unlinked += [{**e, "region": r} for e in missing]
        name = "region/" + r.rsplit("/", 1)[-1]
        if missing:
            shown = ", ".join(f"{e['label']} ({e['iri']})" for e in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            notes.append(
                f"{name}: the knowledge graph locates {len(missing)} entit"
                f"{'y' if len(missing) == 1 else 'ies'} here with no supply link in the "
                f"{which} network, so removing {'it' if len(missing) == 1 else 'them'} "
                f"cannot make anything fail: {shown}{more}."
            )
        if not in_g:
            notes.append(
                f"{name}: nothing in the {which} supply network is located here"
                + (
                    "; the curated graph states few firm-to-firm links. The synthetic "
                    "network (--graph synthetic or all; `clusterkg generate`) models the "
                    "supply links of such sites (e.g. CATL Yibin's battery deliveries)."
                    if which == "curated"
                    else "."
                )
            )
    return unlinked, notes
