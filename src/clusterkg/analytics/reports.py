"""Analysis reports: one function per analysis, from the knowledge graph to plain data.

Each function selects the network (curated, synthetic or both, generating the synthetic
network when the store has none), runs one analysis of :mod:`clusterkg.analytics` and returns
a :data:`Report`, a plain dict that any front end renders without further analysis:

- ``json``: the whole answer (the body of ``--format json``);
- ``rows``: the one table of ``--format csv``;
- ``tables``: ``[title, rows]`` sections for reading (IRIs shortened, long lists cut);
- ``lines``: summary sentences shown before the tables;
- ``notes``: remarks on method (sampling, fallbacks), meant for stderr;
- ``synthetic``: whether the synthetic network was used (every output must say so);
- ``write``: ``kind``, ``parameters`` and ``scores`` for :func:`write_back`.

The metrics themselves, and their literature references, are documented in the modules that
compute them (:mod:`~clusterkg.analytics.centrality`, :mod:`~clusterkg.analytics.communities`,
:mod:`~clusterkg.analytics.resilience`, :mod:`~clusterkg.analytics.scenarios`,
:mod:`~clusterkg.analytics.indicators`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import networkx as nx

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.numbers import human_amount
from clusterkg.vocab import SYNTHETIC_GRAPH

Report = dict[str, Any]
Log = Callable[[str], None]

#: Above this many nodes the long-running steps report their progress.
BIG_NETWORK = 2000
ROBUSTNESS_STRATEGIES = ("random", "degree", "betweenness")
RESILIENCE_SECTIONS = (
    "all",
    "sourcing",
    "self-sufficiency",
    "critical",
    "single-points",
    "robustness",
)


def _quiet(_message: str) -> None:
    pass


def short(iri: str | None) -> str | None:
    """The part of a clusterkg IRI after ``/id/`` (``enterprise/catl``), for reading."""
    return iri.split("/id/", 1)[-1] if iri else iri


def _report(
    json_body: dict[str, Any],
    rows: list[dict[str, Any]],
    tables: list[list[Any]],
    *,
    synthetic: bool,
    write: dict[str, Any],
    lines: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Report:
    return {
        "json": json_body,
        "rows": rows,
        "tables": tables,
        "lines": list(lines),
        "notes": list(notes),
        "synthetic": synthetic,
        "write": write,
    }


def ensure_synthetic(kg: Any, graphs: str, *, seed: int, scale: float, log: Log = _quiet) -> None:
    """Load a generated synthetic network when ``graphs`` needs one and the store has none."""
    from clusterkg.analytics.generate import Parameters, load_synthetic
    from clusterkg.analytics.projection import needs_synthetic

    if needs_synthetic(graphs) and str(SYNTHETIC_GRAPH) not in kg.backend.graph_names():
        log(
            f"no synthetic graph in the store: generating one (seed {seed}, scale "
            f"{scale:g}); save it with `clusterkg generate --out FILE`"
        )
        load_synthetic(kg, Parameters(seed=seed, scale=scale), progress=True)


def supply(kg: Any, graphs: str, log: Log = _quiet) -> nx.DiGraph:
    """The supply network of ``graphs`` (curated, synthetic or all), saying what it holds."""
    from clusterkg.analytics.projection import supply_network

    log(f"projecting the supply network ({graphs} graph) ...")
    G = supply_network(kg, graphs)
    log(f"supply network: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
    if G.graph.get("synthetic"):
        log(
            "NOTE: these results use the SYNTHETIC supply network "
            "(graph https://w3id.org/clusterkg/graph/synthetic), not sourced facts."
        )
    return G


def _network(kg: Any, graphs: str, seed: int, scale: float, log: Log) -> nx.DiGraph:
    ensure_synthetic(kg, graphs, seed=seed, scale=scale, log=log)
    return supply(kg, graphs, log)


def centrality(
    kg: Any,
    graphs: str = "curated",
    *,
    metrics: Sequence[str] = (),
    k: int = 256,
    exact_threshold: int | None = None,
    seed: int = 0,
    scale: float = 1.0,
    top: int = 20,
    sort_by: str = "betweenness",
    log: Log = _quiet,
) -> Report:
    """Centrality of every firm of the supply network (see :mod:`.centrality` for each metric).

    Rows are sorted by ``sort_by`` (descending; the first chosen metric if it is not chosen);
    the reading table keeps the first ``top`` rows (0 = all).
    """
    from clusterkg.analytics.centrality import EXACT_THRESHOLD, METRICS, compute, mark_synthetic

    chosen = tuple(metrics) or METRICS
    bad = [m for m in chosen if m not in METRICS]
    if bad:
        raise AnalyticsError(f"unknown metric {', '.join(bad)}: use {', '.join(METRICS)}")
    G = _network(kg, graphs, seed, scale, log)
    res = compute(
        G,
        metrics=chosen,
        exact_threshold=EXACT_THRESHOLD if exact_threshold is None else exact_threshold,
        k=k,
        seed=seed,
        progress=G.number_of_nodes() > BIG_NETWORK,
    )
    rows = mark_synthetic(G, res.table())
    for r in rows:
        r["label"] = G.nodes[r["node"]].get("label")
    key = sort_by if sort_by in chosen else chosen[0]
    rows.sort(key=lambda r: (-(r.get(key) or 0.0), r["node"]))
    synthetic = bool(G.graph["synthetic"])
    shown = [
        {
            "node": short(r["node"]),
            "label": r["label"],
            **{m: r[m] for m in chosen},
            "synthetic": r["synthetic"],
            "synthetic_links": r["synthetic_links"],
        }
        for r in (rows[:top] if top else rows)
    ]
    title = (
        f"Centrality ({graphs} graph, {G.number_of_nodes()} nodes; "
        f"{'; '.join(f'{m}: {h}' for m, h in res.method.items())})"
    )
    body = {
        "synthetic": synthetic,
        "method": res.method,
        "notes": res.notes,
        "parameters": res.parameters,
        "rows": rows,
    }
    write = {"kind": "centrality", "parameters": res.parameters, "scores": res.scores}
    return _report(body, rows, [[title, shown]], synthetic=synthetic, write=write, notes=res.notes)


def communities(
    kg: Any,
    graphs: str = "curated",
    *,
    network: str = "cluster",
    resolution: float = 1.0,
    seed: int = 0,
    scale: float = 1.0,
    log: Log = _quiet,
) -> Report:
    """Louvain communities of the cluster or supply network and their agreement (NMI, ARI)
    with the declared clusters (see :mod:`.communities`)."""
    from clusterkg.analytics.communities import louvain
    from clusterkg.analytics.projection import cluster_network

    ensure_synthetic(kg, graphs, seed=seed, scale=scale, log=log)
    G = supply(kg, graphs, log) if network == "supply" else cluster_network(kg, graphs)
    res = louvain(G, seed=seed, resolution=resolution)
    rows: list[dict[str, Any]] = [
        {"community": i, "size": len(c), "members": [G.nodes[n].get("label") or n for n in c]}
        for i, c in enumerate(res.communities)
    ]
    synthetic = bool(G.graph.get("synthetic"))
    line = (
        f"modularity {res.modularity:.4f}; agreement with declared clusters over "
        f"{res.agreement['compared']} nodes: NMI {_g(res.agreement['nmi'])}, "
        f"ARI {_g(res.agreement['ari'])}"
    )
    body = {
        "synthetic": synthetic,
        "modularity": res.modularity,
        "agreement": res.agreement,
        "parameters": res.parameters,
        "rows": rows,
    }
    table = [{**r, "members": r["members"][:12]} for r in rows]
    write = {
        "kind": "communities",
        "parameters": {**res.parameters, "network": network},
        "scores": {"community": {n: float(i) for n, i in res.membership.items()}},
    }
    return _report(
        body,
        rows,
        [[f"Louvain communities ({network} network, seed {seed})", table]],
        synthetic=synthetic,
        write=write,
        lines=[line],
    )


def _g(value: Any) -> str:
    return "" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)


def resilience(
    kg: Any,
    graphs: str = "curated",
    *,
    section: str = "all",
    strategies: Sequence[str] = (),
    trials: int = 10,
    recompute: bool = False,
    batch: int | None = None,
    points: int = 50,
    all_firms: bool = False,
    seed: int = 0,
    scale: float = 1.0,
    log: Log = _quiet,
) -> Report:
    """Sourcing concentration (HHI), regional self-sufficiency, critical nodes, single points
    of failure under the AND cascade, and robustness curves with their R-index (see
    :mod:`.resilience` and :mod:`.single_points` for each definition).

    ``section`` picks one part (``all`` for every part; CSV output needs one). ``all_firms``
    reports single points of failure for every firm, not only the OEMs; ``batch`` is how many
    nodes a recomputed targeted attack removes between two recomputations (None: automatic).
    """
    from clusterkg.analytics import resilience as rs
    from clusterkg.analytics import single_points as sp
    from clusterkg.analytics.projection import synthetic_components, synthetic_link_total

    if section not in RESILIENCE_SECTIONS:
        raise AnalyticsError(f"unknown section {section!r}: use {', '.join(RESILIENCE_SECTIONS)}")
    G = _network(kg, graphs, seed, scale, log)
    synthetic = bool(G.graph["synthetic"])
    big = G.number_of_nodes() > BIG_NETWORK
    progress = log if big else _quiet
    out: dict[str, list[dict[str, Any]]] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    scores: dict[str, dict[str, float]] = {}
    if section in ("all", "sourcing"):
        progress("resilience: sourcing ...")
        out["sourcing"] = [
            {
                **r,
                "customer": short(r["customer"]),
                "item": short(r["item"]),
                "suppliers": [short(s) for s in r["suppliers"]],
                "cluster": short(r["cluster"]),
            }
            for r in rs.sourcing(G)
        ]
    if section in ("all", "self-sufficiency"):
        progress("resilience: self-sufficiency ...")
        suff = rs.self_sufficiency(G)
        out["self-sufficiency"] = [{**r, "cluster": short(r["cluster"])} for r in suff]
        scores["share_inside"] = {
            r["cluster"]: r["share_inside"] for r in suff if r["share_inside"] is not None
        }
    if section in ("all", "critical"):
        progress("resilience: critical nodes ...")
        crit = rs.critical_nodes(G, progress=big, workers=rs.auto_workers(G))
        out["critical"] = [
            {
                "oem": short(r["oem"]),
                "label": r["label"],
                "suppliers": r["suppliers"],
                "connectivity": r["connectivity"],
                "cut": [short(x) for x in r["cut"]],
                "dominators": [short(x) for x in r["dominators"]],
                "synthetic": r["synthetic"],
                "synthetic_links": r["synthetic_links"],
            }
            for r in crit.per_oem
        ]
        # being an articulation point or a bridge depends on the whole component
        component = synthetic_components(G)
        out["articulation-points"] = [
            {
                "node": short(n),
                "label": G.nodes[n].get("label"),
                "synthetic": component[n] > 0,
                "synthetic_links": component[n],
            }
            for n in crit.articulation_points
        ]
        out["bridges"] = [
            {
                "a": short(a),
                "b": short(b),
                "synthetic": component[a] > 0,
                "synthetic_links": component[a],
            }
            for a, b in crit.bridges
        ]
        scores["node_connectivity"] = {r["oem"]: r["connectivity"] for r in crit.per_oem}
        scores["dominator_count"] = {r["oem"]: len(r["dominators"]) for r in crit.per_oem}
        scores["articulation_point"] = dict.fromkeys(crit.articulation_points, 1.0)
    tables.update(out)
    json_extra: dict[str, Any] = {}
    if section in ("all", "critical"):
        json_extra["critical_explained"] = sp.CRITICAL_NODES_EXPLAINED
    if section in ("all", "single-points"):
        progress("resilience: single points of failure ...")
        spof = sp.report(G, all_firms=all_firms, region_labels=G.graph.get("region_labels"))
        json_extra.update(spof)
        out["single-points"] = [_spof_row(e) for e in spof["single_points_of_failure"]]
        tables["single-points"] = out["single-points"][:50]
        tables["single-points-by-region"] = [_spof_row(e) for e in spof["by_region"][:20]]
        tables["single-points-by-cluster"] = [_spof_row(e) for e in spof["by_cluster"][:20]]
        tables["single-points-services-not-counted"] = [
            {
                "node": short(e["node"]),
                "label": e["label"],
                "customers": ", ".join(str(short(c)) for c in e["customers"]),
                "item": ", ".join(sorted({str(short(r["item"])) for r in e["items"]})),
                "counted": "no: a service, not a production input",
                "synthetic": e["synthetic"],
                "synthetic_links": e["synthetic_links"],
            }
            for e in spof["service_dependencies"][:20]
        ]
        scores["single_point_oems_lost"] = {
            e["node"]: float(e["oems_lost"]) for e in spof["single_points_of_failure"]
        }
    if section in ("all", "robustness"):
        # a curve runs over the whole network: it rests on every generated link of it
        generated = synthetic_link_total(G)
        curves = []
        for strat in strategies or ROBUSTNESS_STRATEGIES:
            res = rs.robustness(
                G,
                strat,
                trials=trials,
                seed=seed,
                recompute=recompute,
                batch=batch,
                points=points,
                progress=big,
            )
            curves.append(
                {
                    "strategy": strat,
                    "recompute": recompute,
                    "trials": res.trials,
                    "R_lcc": res.r_lcc,
                    "R_lcc_std": res.r_lcc_std,
                    "R_oem": res.r_oem,
                    "R_oem_std": res.r_oem_std,
                    "oems": res.parameters["oems"],
                    "oems_left_out": [short(o) for o in res.parameters["oems_left_out"]],
                    "fractions": res.fractions,
                    "lcc_mean": res.lcc_mean,
                    "lcc_std": res.lcc_std,
                    "oem_mean": res.oem_mean,
                    "oem_std": res.oem_std,
                    "synthetic": generated > 0,
                    "synthetic_links": generated,
                }
            )
        out["robustness"] = curves
        tables["robustness"] = [
            {k: v for k, v in c.items() if k not in _CURVE_COLUMNS} for c in curves
        ]
    write = {
        "kind": "resilience",
        "parameters": {"section": section, "seed": seed, "trials": trials, "recompute": recompute},
        "scores": scores,
    }
    body = {"synthetic": synthetic, "graph": graphs, **out, **json_extra}
    # The full entries (with IRIs and chains) are the JSON's; "single-points" is their table.
    body.pop("single-points", None)
    lines = []
    if section in ("all", "critical"):
        lines.append(sp.CRITICAL_NODES_EXPLAINED)
    if section in ("all", "single-points"):
        lines.append(f"single points of failure: {json_extra['rule']}")
    return _report(
        body,
        out[section] if section != "all" else [],
        [[name.replace("-", " ").capitalize(), rows] for name, rows in tables.items()],
        synthetic=synthetic,
        write=write,
        lines=[line for line in lines if line],
    )


def _chain_text(item: dict[str, Any]) -> str:
    """``OEM <- item - supplier <- item - supplier ...``: how the failure travels, for reading."""
    steps = [
        f"{short(s['customer'])} <-{short(s['item'])}- {short(s['supplier'])}"
        for s in item.get("chain", [])
    ]
    return " ; ".join(steps)


def _spof_row(e: dict[str, Any]) -> dict[str, Any]:
    """One single point of failure (or one region's or cluster's loss) as a table row."""
    first = (e.get("items") or [{}])[0]
    lost = e.get("oems_lost", len(e.get("oems") or []))
    return {
        "node": short(e.get("node") or e.get("region") or e.get("cluster")),
        "label": e.get("label"),
        "removed": len(e["removed"]) if isinstance(e.get("removed"), list) else e.get("removed"),
        "oems_lost": lost,
        "oems": ", ".join(str(short(o)) for o in (e.get("oems") or [])[:5])
        + (" ..." if len(e.get("oems") or []) > 5 else ""),
        "item": short(first.get("item")),
        "chain": _chain_text(first),
        "value_at_risk": human_amount(e.get("value_at_risk")),
        "value_to_oems": human_amount(e.get("value_to_oems")),
        "synthetic": e["synthetic"],
        "synthetic_links": e["synthetic_links"],
    }


#: The curve columns of a robustness row, left out of the reading table.
_CURVE_COLUMNS = ("fractions", "lcc_mean", "lcc_std", "oem_mean", "oem_std")


def scenario(
    kg: Any,
    graphs: str = "curated",
    *,
    remove: Sequence[str] = (),
    remove_regions: Sequence[str] = (),
    keep_regions: Sequence[str] = (),
    kinds: Sequence[str] = (),
    clusters: Sequence[str] = (),
    mode: str = "and",
    theta: float = 0.5,
    seed: int = 0,
    scale: float = 1.0,
    log: Log = _quiet,
) -> Report:
    """A disruption scenario: remove what the selection holds (the INTERSECTION of firms,
    regions, kinds and clusters), cascade the failure, and report the damage per cluster and
    per affected OEM, each with why it failed (see :mod:`.scenarios` for the cascade rules)."""
    from clusterkg.analytics.projection import located_entities, resolve_nodes, resolve_region
    from clusterkg.analytics.scenarios import LOST_VALUE_EXPLAINED, resolve_clusters, run_scenario

    G = _network(kg, graphs, seed, scale, log)
    named = resolve_nodes(G, remove)
    regions = [resolve_region(kg, r) for r in remove_regions]
    rep = run_scenario(
        G,
        remove=named,
        remove_regions=regions,
        located={r: located_entities(kg, r, graphs) for r in regions},
        keep_regions=[resolve_region(kg, r) for r in keep_regions],
        kinds=list(kinds),
        clusters=resolve_clusters(G, clusters),
        mode=mode,
        theta=theta,
    )
    rows = [{"cluster": short(c), **v} for c, v in rep.per_cluster.items()]
    lines = [
        f"the selection holds {rep.selection.get('count', len(rep.removed))} node(s)"
        + (
            " (" + ", ".join(f"{n} {k}" for k, n in rep.selection["by_kind"].items()) + ")"
            if rep.selection.get("by_kind")
            else ""
        ),
        f"removed {len(rep.removed)}"
        + (f" (and {len(rep.unlinked)} entities without supply links)" if rep.unlinked else "")
        + f", failed in total {len(rep.failed)} "
        f"({len(rep.cascaded)} by cascade, {rep.rounds} rounds); affected OEMs "
        f"{len(rep.affected_oems)}",
        f"lost supply value {human_amount(rep.lost_value)} over {rep.lost_links} links; "
        f"of it, reaching OEMs directly: {human_amount(rep.lost_value_to_oems)}",
        f"({LOST_VALUE_EXPLAINED})",
    ]
    if rep.lost_synthetic_links:
        lines.append(
            f"SYNTHETIC: {rep.lost_synthetic_links} of the {rep.lost_links} lost links are "
            "generated (rows marked synthetic rest on them)"
        )
    if rep.removed:
        lines.append(
            "removed: "
            + ", ".join(f"{G.nodes[n].get('label')} ({short(n)})" for n in rep.removed[:20])
            + (f" and {len(rep.removed) - 20} more" if len(rep.removed) > 20 else "")
        )
    lines += [f"note: {note}" for note in rep.notes]
    tables: list[list[Any]] = [["Scenario damage per cluster", rows]]
    if rep.affected_oems:
        # "why" is shown as its item and chain (a nested record would print as JSON text).
        affected = [
            {
                **{k: v for k, v in a.items() if k != "why"},
                "oem": short(a["oem"]),
                "cluster": short(a["cluster"]),
                "lost_suppliers": [short(s) for s in a["lost_suppliers"]],
                **_why(a.get("why")),
            }
            for a in rep.affected_oems[:50]
        ]
        tables.append(["Affected OEMs", affected])
    if rep.cascaded_firms:
        cascaded = [
            {
                "firm": short(c.get("node")),
                "label": c.get("label"),
                "round": c.get("round"),
                **_why(c.get("why") or c),
                "synthetic": c["synthetic"],
                "synthetic_links": c["synthetic_links"],
            }
            for c in rep.cascaded_firms[:100]
        ]
        tables.append(["Failed by cascade", cascaded])
    write = {
        "kind": "scenario",
        "parameters": rep.parameters,
        "scores": {"failure_round": {n: float(r) for n, r in rep.failure_round.items()}},
    }
    return _report(
        rep.to_dict(), rows, tables, synthetic=bool(rep.synthetic), write=write, lines=lines
    )


def _why(why: Any) -> dict[str, Any]:
    """The item a failed firm could no longer source and the chain back to a removed node."""
    if not isinstance(why, dict):
        return {"lost_item": None, "chain": None}
    return {"lost_item": short(why.get("item")), "chain": _chain_text(why)}


#: The indicators written back to the analytics graph.
INDICATOR_METRICS = (
    "vehicle_enterprises_share",
    "parts_enterprises_share",
    "parts_per_vehicle_enterprise",
    "parts_location_quotient",
)


def indicators(kg: Any, graphs: str = "curated", *, log: Log = _quiet) -> Report:
    """Cluster shares, HHI across clusters, parts per vehicle enterprise and location
    quotients from the curated observations (see :mod:`.indicators` for the definitions).

    The observations are sourced facts only, so ``graphs`` can only be ``curated``.
    """
    from clusterkg.analytics.indicators import cluster_indicators

    if graphs != "curated":
        raise AnalyticsError("indicators come from the curated observations only")
    res = cluster_indicators(kg)
    rows = [
        {k: (short(v) if k == "cluster" else v) for k, v in r.items() if k != "sources"}
        for r in res["clusters"]
    ]
    line = (
        f"HHI across clusters: vehicle enterprises "
        f"{_g(res['hhi']['vehicle_enterprises'])}, parts enterprises "
        f"{_g(res['hhi']['parts_enterprises'])}"
    )
    scores = {
        m: {r["cluster"]: r[m] for r in res["clusters"] if r[m] is not None}
        for m in INDICATOR_METRICS
    }
    return _report(
        {"synthetic": False, **res},
        rows,
        [["Cluster indicators (from the KG's observations)", rows]],
        synthetic=False,
        write={"kind": "indicators", "parameters": {}, "scores": scores},
        lines=[line],
    )


def write_back(kg: Any, report: Report, *, started: datetime, graphs: str) -> tuple[int, str]:
    """Store ``report``'s scores as RDF in the analytics named graph, with the run's
    provenance; returns the number of triples written and the run's IRI."""
    from clusterkg.analytics.writeback import results_graph, write_results

    spec = report["write"]
    g, run = results_graph(
        spec["kind"],
        spec["parameters"],
        spec["scores"],
        started=started,
        graphs=graphs,
        synthetic=report["synthetic"],
    )
    return write_results(kg, g), str(run)
