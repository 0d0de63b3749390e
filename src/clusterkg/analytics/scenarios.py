"""Disruption scenarios: remove a selection of nodes, cascade, and report the damage.

A scenario removes the intersection of the criteria given (:func:`select_nodes`): named nodes
(an enterprise also takes its production sites, ``ck:operatedBy``), nodes located in a region
or any of its sub-regions (``ck:locatedIn`` then ``ck:partOf``), nodes located outside a
region, nodes of a class (with its subclasses) and members of a cluster. The failure then propagates with
:func:`clusterkg.analytics.resilience.cascade`. The report lists failed firms, affected OEMs
(failed, or lost at least one supplier; a failed one with the item and chain that explain it),
the firms that failed by cascade, and lost supply value (the known annual value of every link
whose supplier failed, over all tiers: :data:`LOST_VALUE_EXPLAINED`) beside the value delivered
to OEMs only, in total and per cluster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.numbers import human_amount
from clusterkg.analytics.projection import KIND_ORDER, synthetic_inbound, synthetic_links_on
from clusterkg.analytics.resilience import cascade, lost_supply


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
    note_details: list[dict[str, Any]] = field(default_factory=list)
    cascaded_firms: list[dict[str, Any]] = field(default_factory=list)
    selection: dict[str, Any] = field(default_factory=dict)
    lost_value_to_oems: float = 0.0
    lost_synthetic_links: int = 0

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
            "lost_value_text": human_amount(self.lost_value),
            "lost_value_to_oems_cny": self.lost_value_to_oems,
            "lost_value_to_oems_text": human_amount(self.lost_value_to_oems),
            "lost_value_explained": LOST_VALUE_EXPLAINED,
            "selection": self.selection,
            "cascaded_firms": self.cascaded_firms,
            "lost_links": self.lost_links,
            "lost_synthetic_links": self.lost_synthetic_links,
            "per_cluster": self.per_cluster,
            "unlinked": self.unlinked,
            "notes": self.notes,
            "note_details": self.note_details,
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


def kinds_in(G: nx.DiGraph) -> list[str]:
    """Every clusterkg class a node of ``G`` has (stated or inherited), or the operator of a
    site in ``G`` has: the kinds a selection matches."""
    return sorted(
        {
            t
            for _, a in G.nodes(data=True)
            for t in [*(a.get("types") or [a.get("kind")]), *(a.get("operator_types") or ())]
            if t
        }
    )


def _has_kind(a: dict[str, Any], kinds: set[str]) -> bool:
    return bool(kinds & set(a.get("types") or [a.get("kind")]))


def _by_operator(a: dict[str, Any], kinds: set[str]) -> bool:
    """A production site matches a kind by its operator's kind: the plant of a BatteryMaker
    is a battery plant (``operator_types``), even when the operator itself has no link."""
    return not _has_kind(a, kinds) and bool(kinds & set(a.get("operator_types") or ()))


def select_nodes(
    G: nx.DiGraph,
    *,
    firms: Iterable[str] = (),
    regions: Iterable[str] = (),
    outside: Iterable[str] = (),
    kinds: Iterable[str] = (),
    clusters: Iterable[str] = (),
    missing: list[str] | None = None,
) -> dict[str, Any]:
    """The nodes a scenario removes: the INTERSECTION of the criteria given, each criterion
    the union of its values. ``firms``: those nodes and the sites they operate; ``regions``:
    located in one of them or a sub-region; ``outside``: located outside one of them;
    ``kinds``: of one of these clusterkg classes (a subclass counts: BatteryMaker is a
    PartsSupplier), a production site also by its operator's classes (a BatteryMaker's plant
    is a battery plant); ``clusters``: members of one of them. So ``regions=[Yibin],
    kinds=[BatteryMaker]`` is the battery makers and their plants located in Yibin (CATL's
    Yibin base). A class of the ontology that no node here has selects nothing; any other
    name is an error.

    Returns ``nodes`` (sorted), ``count``, ``by_kind`` (count per most specific class),
    ``via_operator`` (the sites matched through their operator: ``site``, ``operator``) and
    ``criteria``, so that a page can show how many nodes the selection holds before running.
    A firm not in the network (and operating no site in it) is an error, unless ``missing``
    is a list: then it is appended there and left out.
    """
    firms, regions, outside = list(firms), list(regions), list(outside)
    kinds, clusters = list(kinds), list(clusters)
    if not (firms or regions or outside or kinds or clusters):
        raise AnalyticsError(
            "a scenario needs something to remove: firms, regions, kinds or clusters"
        )
    valid = kinds_in(G)
    # a class of the ontology that no node of this network has is an empty selection, not an
    # error (the curated network has no linked ProductionSite; the synthetic one has)
    bad = [k for k in kinds if k not in valid and k not in KIND_ORDER]
    if bad:
        raise AnalyticsError(f"unknown kind {bad[0]!r}: the supply network has {', '.join(valid)}")
    known_clusters = sorted({c for _, a in G.nodes(data=True) for c in a.get("clusters") or ()})
    bad = [c for c in clusters if c not in known_clusters]
    if bad:
        raise AnalyticsError(
            f"cluster {bad[0]} has no member in the supply network; clusters there: "
            + (", ".join(known_clusters) or "none")
        )
    operators = {a.get("operator") for _, a in G.nodes(data=True)}
    absent = sorted(n for n in firms if n not in G and n not in operators)
    if absent and missing is None:
        raise AnalyticsError(f"not in the supply network: {', '.join(absent)}")
    if missing is not None:
        missing.extend(absent)
    chosen: set[str] | None = None

    def narrow(part: set[str]) -> None:
        nonlocal chosen
        chosen = part if chosen is None else chosen & part

    if firms:
        narrow(with_sites(G, firms) & set(G))
    if regions:
        narrow({n for r in regions for n in nodes_in_region(G, r)})
    if outside:
        narrow({n for r in outside for n in nodes_outside_region(G, r)})
    want_kinds, want_clusters = set(kinds), set(clusters)
    via_operator: list[str] = []
    if kinds:
        via_operator = sorted(n for n, a in G.nodes(data=True) if _by_operator(a, want_kinds))
        narrow({n for n, a in G.nodes(data=True) if _has_kind(a, want_kinds)} | set(via_operator))
    if clusters:
        narrow({n for n, a in G.nodes(data=True) if want_clusters & set(a.get("clusters") or ())})
    nodes = sorted(chosen or ())
    by_kind: dict[str, int] = defaultdict(int)
    for n in nodes:
        by_kind[G.nodes[n].get("kind") or "unknown"] += 1
    chosen_set = set(nodes)
    return {
        "nodes": nodes,
        "count": len(nodes),
        "by_kind": dict(sorted(by_kind.items())),
        "via_operator": [
            {"site": n, "operator": G.nodes[n]["operator"]} for n in via_operator if n in chosen_set
        ],
        "criteria": {
            "firms": sorted(firms),
            "regions": sorted(regions),
            "outside": sorted(outside),
            "kinds": sorted(kinds),
            "clusters": sorted(clusters),
        },
    }


def resolve_clusters(G: nx.DiGraph, names: Iterable[str]) -> list[str]:
    """Cluster IRIs for IRIs, slugs (``cluster/chengdu-chongqing-auto``) or labels (case does
    not matter), among the clusters the projection knows; an unknown or ambiguous name is an
    :class:`AnalyticsError` listing the candidates."""
    known = dict(G.graph.get("clusters") or {})
    for _, a in G.nodes(data=True):
        for c in a.get("clusters") or ():
            known.setdefault(c, {"label": c})
    out = []
    for name in names:
        text = name.strip()
        key = text.casefold()
        hits = sorted(
            c
            for c, info in known.items()
            if c == text or c.endswith("/" + text) or str(info.get("label", "")).casefold() == key
        )
        if len(hits) != 1:
            near = sorted(
                f"{info.get('label')} ({c.rsplit('/', 1)[-1]})"
                for c, info in known.items()
                if key and key in str(info.get("label", "")).casefold()
            )
            what = "ambiguous" if hits else "not a cluster of the supply network"
            raise AnalyticsError(
                f"{text!r} is {what}"
                + (f"; did you mean {', '.join(near[:5])}?" if near and not hits else "")
                + (f": {', '.join(hits)}" if hits else "")
            )
        out.append(hits[0])
    return out


#: What ``lost_value_cny`` is, said beside it so that no reader takes it for the OEMs' loss.
LOST_VALUE_EXPLAINED = (
    "lost supply value: the sum of the known annual values of every supply link whose "
    "supplier failed, over all tiers. Value passed along a chain (materials -> part -> "
    "system -> vehicle maker) is counted once per link, so it double counts; "
    "lost_value_to_oems_cny counts only the links delivered to vehicle makers."
)


def run_scenario(
    G: nx.DiGraph,
    *,
    remove: Iterable[str] = (),
    remove_regions: Iterable[str] = (),
    keep_regions: Iterable[str] = (),
    kinds: Iterable[str] = (),
    clusters: Iterable[str] = (),
    mode: str = "and",
    theta: float = 0.5,
    located: dict[str, list[dict[str, Any]]] | None = None,
    missing: str = "error",
) -> ScenarioReport:
    """Remove the nodes :func:`select_nodes` selects (the intersection of ``remove``: node
    IRIs with the sites they operate; ``remove_regions``; outside ``keep_regions``;
    ``kinds``; ``clusters``), cascade, and report the damage. A named firm that is not
    itself in the network must operate a site that is; with ``missing="note"`` it is left
    out with a structured note instead of an error.

    ``located`` maps each removed region to the KG's entities located there
    (:func:`clusterkg.analytics.projection.located_entities`); those that are not in the
    supply network are reported as ``unlinked`` with a note, so that a region scenario that
    removes nothing says why (the entity exists but has no stated supply link).

    Every failed OEM carries ``why``: the item it could no longer source and the ``chain`` of
    (customer, item, supplier) steps back to a removed node. ``cascaded_firms`` lists every
    firm that failed by cascade with the same explanation.

    Rows whose figures rest on generated data say so, whether or not their firm is real:
    ``synthetic`` and ``synthetic_links`` on each affected OEM and cascaded firm (it buys over
    a generated link, or its chain crosses one; the count: generated links from its lost
    suppliers), and on each ``per_cluster`` row (a failed synthetic node, a marked OEM, or a
    generated lost link; the count: generated lost links); ``lost_synthetic_links`` in total.
    """
    remove, remove_regions, keep_regions = list(remove), list(remove_regions), list(keep_regions)
    kinds, clusters = list(kinds), list(clusters)
    if missing not in ("error", "note"):
        raise AnalyticsError(f"missing must be error or note, got {missing!r}")
    absent: list[str] | None = [] if missing == "note" else None
    selection = select_nodes(
        G,
        firms=remove,
        regions=remove_regions,
        outside=keep_regions,
        kinds=kinds,
        clusters=clusters,
        missing=absent,
    )
    res = cascade(G, selection["nodes"], mode=mode, theta=theta)
    failed = set(res.failed)

    def why(n: str) -> dict[str, Any]:
        if res.failed[n] == 0:
            return {"removed": True, "item": None, "chain": []}
        return {"removed": False, "item": res.cause[n][0], "chain": res.chain(n)}

    inbound = synthetic_inbound(G)

    def marks(n: str, lost: Iterable[str] = ()) -> dict[str, Any]:
        # a row rests on generated data when its firm buys over a generated link (its failure
        # and lost suppliers turn on them) or its chain back to a removed node crosses one;
        # synthetic_links counts the generated links from the row's lost suppliers
        chain = why(n)["chain"] if n in failed else []
        touched = inbound[n] or any(inbound[step["customer"]] for step in chain)
        count = sum(synthetic_links_on(G, s, n) for s in lost)
        return {"synthetic": bool(touched or count), "synthetic_links": count}

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
                    **marks(n, lost),
                    **({"why": why(n)} if n in failed else {}),
                }
            )
    cascaded_firms = [
        {
            "node": n,
            "label": G.nodes[n].get("label"),
            "kind": G.nodes[n].get("kind"),
            "round": res.failed[n],
            **marks(n, [s for s in G.predecessors(n) if s in failed]),
            **why(n),
        }
        for n in res.cascaded
    ]
    lost_value, lost_links = 0.0, 0
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "failed": 0,
            "affected_oems": 0,
            "lost_value_cny": 0.0,
            "lost_links": 0,
            "synthetic": False,
            "synthetic_links": 0,
        }
    )
    for n in failed:
        rec = per[G.nodes[n].get("cluster") or "none"]
        rec["failed"] += 1
        rec["synthetic"] = rec["synthetic"] or bool(G.nodes[n].get("synthetic"))
    for a in affected:
        rec = per[a["cluster"] or "none"]
        rec["affected_oems"] += 1
        rec["synthetic"] = rec["synthetic"] or a["synthetic"]
    lost_synthetic = 0
    for s in failed:
        for c, data in G._succ[s].items():
            key = G.nodes[c].get("cluster") or "none"
            generated = synthetic_links_on(G, s, c)
            lost_synthetic += generated
            per[key]["synthetic_links"] += generated
            per[key]["synthetic"] = per[key]["synthetic"] or generated > 0
            for link in data.get("links", []):
                lost_links += 1
                per[key]["lost_links"] += 1
                if link.get("value") is not None:
                    lost_value += link["value"]
                    per[key]["lost_value_cny"] += link["value"]
    unlinked, details = _unlinked(G, remove_regions, located or {})
    details += [_not_in_network(G, n) for n in absent or ()]
    details += [
        {
            "code": "via-operator",
            "node": v["site"],
            "operator": v["operator"],
            "network": _which(G),
            "text": f"{v['site']} is a production site of {v['operator']}, matched by its "
            f"operator's kind ({', '.join(sorted(set(kinds) & set(G.nodes[v['site']].get('operator_types') or ())))})",
        }
        for v in selection["via_operator"]
    ]
    if not selection["nodes"]:
        details.append(_empty(G, remove_regions, kinds, located or {}))
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
            "kinds": sorted(kinds),
            "clusters": sorted(clusters),
            "mode": mode,
            "theta": theta if mode == "threshold" else None,
        },
        synthetic=bool(G.graph.get("synthetic")),
        failure_round=dict(res.failed),
        unlinked=unlinked,
        notes=[d["text"] for d in details],
        note_details=details,
        cascaded_firms=cascaded_firms,
        selection={k: v for k, v in selection.items() if k != "nodes"},
        lost_value_to_oems=lost_supply(G, failed)["value_to_oems"],
        lost_synthetic_links=lost_synthetic,
    )


def _empty(
    G: nx.DiGraph, regions: list[str], kinds: list[str], located: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The note of an empty selection: what the removed regions hold (in the network, with
    each node's kind, and the located entities without supply links), so that a reader sees
    which criterion left nothing."""
    held = sorted({n for r in regions for n in nodes_in_region(G, r)})
    shown = [f"{n} ({G.nodes[n].get('kind') or 'unknown'})" for n in held[:10]]
    outside = sorted({e["iri"] for r in regions for e in located.get(r, []) if e["iri"] not in G})
    text = "the selection holds no node of the supply network: nothing fails"
    if regions:
        text += (
            "; the regions hold "
            + (
                ", ".join(shown) + (f" and {len(held) - 10} more" if len(held) > 10 else "")
                if held
                else "no node of this network"
            )
            + (
                f"; {len(outside)} entit{'y' if len(outside) == 1 else 'ies'} there without "
                f"supply links: {', '.join(outside[:5])}"
                if outside
                else ""
            )
            + (f", none of kind {', '.join(kinds)}" if kinds and held else "")
        )
    return {
        "code": "empty-selection",
        "text": text,
        "network": _which(G),
        "in_regions": [{"node": n, "kind": G.nodes[n].get("kind")} for n in held],
    }


def _which(G: nx.DiGraph) -> str:
    return "synthetic" if G.graph.get("synthetic") else G.graph.get("graphs", "curated")


def _not_in_network(G: nx.DiGraph, node: str) -> dict[str, Any]:
    which = _which(G)
    other = "synthetic" if which == "curated" else ("curated" if which == "synthetic" else None)
    return {
        "code": "not-in-network",
        "node": node,
        "network": which,
        "alternative": other,
        "text": f"{node} is not in the {which} supply network (no supply link names it), "
        "so it was left out" + (f"; the {other} network may hold it." if other else "."),
    }


def _unlinked(
    G: nx.DiGraph, regions: list[str], located: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Entities located in the removed regions that have no supply link in ``G``, and the
    notes about them as structured records (``code``, ``region``, ``network``, the
    ``alternative`` network that can answer, and the ``text``)."""
    which = _which(G)
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
                {
                    "code": "unlinked",
                    "region": r,
                    "network": which,
                    "alternative": "synthetic" if which == "curated" else None,
                    "entities": [e["iri"] for e in missing],
                    "text": f"{name}: the knowledge graph locates {len(missing)} entit"
                    f"{'y' if len(missing) == 1 else 'ies'} here with no supply link in the "
                    f"{which} network, so removing {'it' if len(missing) == 1 else 'them'} "
                    f"cannot make anything fail: {shown}{more}.",
                }
            )
        if not in_g:
            notes.append(
                {
                    "code": "nothing-located",
                    "region": r,
                    "network": which,
                    "alternative": "synthetic" if which == "curated" else None,
                    "text": f"{name}: nothing in the {which} supply network is located here"
                    + (
                        "; the curated graph states few firm-to-firm links. The synthetic "
                        "network (--graph synthetic or all; `clusterkg generate`) models the "
                        "supply links of such sites (e.g. CATL Yibin's battery deliveries)."
                        if which == "curated"
                        else "."
                    ),
                }
            )
    return unlinked, notes
