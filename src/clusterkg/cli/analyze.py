"""``clusterkg analyze ...`` and ``clusterkg generate``: network analytics from the command line.

Each command opens the knowledge graph, calls one function of :mod:`clusterkg.analytics` and
prints a table, CSV or JSON. ``--write`` also stores the results as RDF in the analytics named
graph. Every output that used the synthetic network says so.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clusterkg.cli import main

FORMATS = ("table", "csv", "json")


class BadInput(click.ClickException):
    """Unusable input (unknown region, node or option): exit code 2."""

    exit_code = 2


def _errors(fn: Callable) -> Callable:
    """Turn the analytics' and the store's exceptions into messages, never tracebacks."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from clusterkg.analytics import AnalyticsError
        from clusterkg.store.backends import BackendError
        from clusterkg.store.graph_files import LoadError
        from clusterkg.store.query_engine import QueryError

        try:
            return fn(*args, **kwargs)
        except AnalyticsError as exc:
            raise BadInput(str(exc)) from None
        except (LoadError, BackendError, QueryError) as exc:
            raise click.ClickException(str(exc)) from None
        except click.ClickException:
            raise
        except Exception as exc:  # a bug: say so in one line rather than a traceback
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {exc}); please report it"
            ) from None

    return wrapper


def _common(fn: Callable) -> Callable:
    options = [
        click.option(
            "--graph",
            "graphs",
            type=click.Choice(["curated", "synthetic", "all"]),
            default="curated",
            show_default=True,
            help="Which supply links to analyse: the curated graph, the synthetic "
            "network, or both.",
        ),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
        ),
        click.option(
            "--write",
            is_flag=True,
            help="Also store the results as RDF in the analytics named graph.",
        ),
        click.option("--store", default=None, help="memory | oxigraph:DIR | sparql:URL[,URL]"),
        click.option(
            "--data",
            multiple=True,
            type=click.Path(exists=True, path_type=Path),
            help="Extra RDF files to load (e.g. a generated synthetic.trig).",
        ),
        click.option(
            "--seed",
            default=0,
            show_default=True,
            type=int,
            help="Seed for sampling, Louvain, random removal and generation.",
        ),
        click.option(
            "--scale",
            default=1.0,
            show_default=True,
            type=float,
            help="Scale of the synthetic network generated when the store has none.",
        ),
    ]
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _open(store: str | None, data: tuple[Path, ...], graphs: str, seed: int, scale: float):
    from clusterkg.analytics.generate import Parameters, load_synthetic
    from clusterkg.config import Settings
    from clusterkg.store.kg import open_kg
    from clusterkg.vocab import SYNTHETIC_GRAPH

    settings = Settings.from_env(store=store)
    if data:
        click.echo(f"loading the knowledge graph and {len(data)} extra file(s) ...", err=True)
    kg = open_kg(settings, extra=list(data))
    if graphs != "curated" and str(SYNTHETIC_GRAPH) not in kg.backend.graph_names():
        click.echo(
            f"no synthetic graph in the store: generating one (seed {seed}, scale "
            f"{scale:g}); save it with `clusterkg generate --out FILE`",
            err=True,
        )
        load_synthetic(kg, Parameters(seed=seed, scale=scale), progress=True)
    return kg


def _supply(kg, graphs: str):
    from clusterkg.analytics.projection import supply_network

    click.echo(f"projecting the supply network ({graphs} graph) ...", err=True)
    G = supply_network(kg, graphs)
    click.echo(
        f"supply network: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges", err=True
    )
    if G.graph.get("synthetic"):
        click.echo(
            "NOTE: these results use the SYNTHETIC supply network "
            "(graph https://w3id.org/clusterkg/graph/synthetic), not sourced facts.",
            err=True,
        )
    return G


def _progress(on: bool, message: str) -> None:
    """A progress line on stderr (stdout stays clean for tables, CSV and JSON)."""
    if on:
        click.echo(message, err=True)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)):
        return " ".join(_cell(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, sort_keys=True, default=str)
    return str(v)


def render(
    rows: list[dict[str, Any]],
    fmt: str,
    *,
    title: str = "",
    synthetic: bool = False,
    extra: dict[str, Any] | None = None,
) -> str:
    """Rows as an aligned table, CSV (with a ``synthetic`` column) or JSON."""
    if fmt == "json":
        return json.dumps(
            {"synthetic": synthetic, **(extra or {}), "rows": rows},
            indent=2,
            default=str,
            ensure_ascii=False,
        )
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols + ["synthetic"])
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in cols] + [str(synthetic).lower()])
        return buf.getvalue().rstrip("\n")
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [min(60, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(cols)]
    lines = [title + (" [SYNTHETIC DATA]" if synthetic else "")] if title else []
    lines.append("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)))
    if not rows:
        lines.append("(no rows)")
    return "\n".join(lines)


def _short(iri: str | None) -> str | None:
    return iri.split("/id/", 1)[-1] if iri else iri


def _write(
    kg, kind: str, params: dict, scores: dict, started, graphs: str, synthetic: bool
) -> None:
    from clusterkg.analytics.writeback import results_graph, write_results

    g, run = results_graph(
        kind, params, scores, started=started, graphs=graphs, synthetic=synthetic
    )
    n = write_results(kg, g)
    where = kg.settings.store
    click.echo(
        f"wrote {n} triples of run {run} to the analytics graph of {where}"
        + (" (in memory: use --store oxigraph:DIR to keep them)" if where == "memory" else ""),
        err=True,
    )


@main.group()
def analyze() -> None:
    """Network analytics: centrality, communities, resilience, scenarios, indicators."""


@analyze.command()
@_common
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    help="Metrics to compute (default all): in_degree out_degree in_strength "
    "out_strength betweenness pagerank katz eigenvector closeness harmonic.",
)
@click.option("--k", default=256, show_default=True, help="Sample sources above the threshold.")
@click.option(
    "--exact-threshold",
    default=20_000,
    show_default=True,
    help="Node count up to which betweenness/closeness/harmonic are exact.",
)
@click.option("--top", default=20, show_default=True, help="Rows in table format (0 = all).")
@click.option("--sort", "sort_by", default="betweenness", show_default=True)
@_errors
def centrality(
    graphs, fmt, write, store, data, seed, scale, metrics, k, exact_threshold, top, sort_by
) -> None:
    """Degree, strength, betweenness, PageRank, Katz, eigenvector, closeness, harmonic."""
    from clusterkg.analytics import AnalyticsError
    from clusterkg.analytics.centrality import METRICS, compute
    from clusterkg.analytics.writeback import now

    started = now()
    kg = _open(store, data, graphs, seed, scale)
    G = _supply(kg, graphs)
    chosen = tuple(metrics) or METRICS
    bad = [m for m in chosen if m not in METRICS]
    if bad:
        raise AnalyticsError(f"unknown metric {', '.join(bad)}: use {', '.join(METRICS)}")
    res = compute(
        G,
        metrics=chosen,
        exact_threshold=exact_threshold,
        k=k,
        seed=seed,
        progress=G.number_of_nodes() > 2000,
    )
    rows = res.table()
    for r in rows:
        r["label"] = G.nodes[r["node"]].get("label")
    key = sort_by if sort_by in chosen else chosen[0]
    rows.sort(key=lambda r: (-(r.get(key) or 0.0), r["node"]))
    shown = rows[:top] if fmt == "table" and top else rows
    for note in res.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        render(
            [
                {"node": _short(r["node"]), "label": r["label"], **{m: r[m] for m in chosen}}
                for r in shown
            ]
            if fmt == "table"
            else shown,
            fmt,
            title=f"Centrality ({graphs} graph, {G.number_of_nodes()} nodes; "
            f"{'; '.join(f'{m}: {h}' for m, h in res.method.items())})",
            synthetic=G.graph["synthetic"],
            extra={"method": res.method, "notes": res.notes, "parameters": res.parameters},
        )
    )
    if write:
        _write(kg, "centrality", res.parameters, res.scores, started, graphs, G.graph["synthetic"])


@analyze.command()
@_common
@click.option(
    "--network",
    type=click.Choice(["supply", "cluster"]),
    default="cluster",
    show_default=True,
    help="The supply network or the cluster network.",
)
@click.option("--resolution", default=1.0, show_default=True)
@_errors
def communities(graphs, fmt, write, store, data, seed, scale, network, resolution) -> None:
    """Louvain communities and their agreement with the declared clusters (NMI, ARI)."""
    from clusterkg.analytics.communities import louvain
    from clusterkg.analytics.projection import cluster_network
    from clusterkg.analytics.writeback import now

    started = now()
    kg = _open(store, data, graphs, seed, scale)
    G = _supply(kg, graphs) if network == "supply" else cluster_network(kg, graphs)
    res = louvain(G, seed=seed, resolution=resolution)
    rows = [
        {
            "community": i,
            "size": len(c),
            "members": [G.nodes[n].get("label") or n for n in c][: 12 if fmt == "table" else None],
        }
        for i, c in enumerate(res.communities)
    ]
    synthetic = bool(G.graph.get("synthetic"))
    if fmt == "table":
        click.echo(
            f"modularity {res.modularity:.4f}; agreement with declared clusters over "
            f"{res.agreement['compared']} nodes: NMI {_cell(res.agreement['nmi'])}, "
            f"ARI {_cell(res.agreement['ari'])}"
        )
    click.echo(
        render(
            rows,
            fmt,
            title=f"Louvain communities ({network} network, seed {seed})",
            synthetic=synthetic,
            extra={
                "modularity": res.modularity,
                "agreement": res.agreement,
                "parameters": res.parameters,
            },
        )
    )
    if write:
        _write(
            kg,
            "communities",
            {**res.parameters, "network": network},
            {"community": {n: float(i) for n, i in res.membership.items()}},
            started,
            graphs,
            synthetic,
        )


@analyze.command()
@_common
@click.option(
    "--section",
    type=click.Choice(["all", "sourcing", "self-sufficiency", "critical", "robustness"]),
    default="all",
    show_default=True,
)
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    type=click.Choice(["random", "degree", "betweenness"]),
    help="Removal strategies for the robustness curves (default all three).",
)
@click.option("--trials", default=10, show_default=True, help="Random-removal trials.")
@click.option("--recompute", is_flag=True, help="Recompute targeted scores after removals.")
@click.option("--points", default=50, show_default=True, help="Points of each curve.")
@_errors
def resilience(
    graphs, fmt, write, store, data, seed, scale, section, strategies, trials, recompute, points
) -> None:
    """Sourcing HHI, regional self-sufficiency, critical nodes, robustness curves (R-index)."""
    from clusterkg.analytics import resilience as rs
    from clusterkg.analytics.writeback import now

    if fmt == "csv" and section == "all":
        raise BadInput("CSV holds one table: choose a --section")
    started = now()
    kg = _open(store, data, graphs, seed, scale)
    G = _supply(kg, graphs)
    synthetic = G.graph["synthetic"]
    big = G.number_of_nodes() > 2000
    out: dict[str, list[dict]] = {}
    scores: dict[str, dict[str, float]] = {}
    if section in ("all", "sourcing"):
        _progress(big, "resilience: sourcing ...")
        out["sourcing"] = [
            {
                **r,
                "customer": _short(r["customer"]),
                "item": _short(r["item"]),
                "suppliers": [_short(s) for s in r["suppliers"]],
                "cluster": _short(r["cluster"]),
            }
            for r in rs.sourcing(G)
        ]
    if section in ("all", "self-sufficiency"):
        _progress(big, "resilience: self-sufficiency ...")
        suff = rs.self_sufficiency(G)
        out["self-sufficiency"] = [{**r, "cluster": _short(r["cluster"])} for r in suff]
        scores["share_inside"] = {
            r["cluster"]: r["share_inside"] for r in suff if r["share_inside"] is not None
        }
    if section in ("all", "critical"):
        _progress(big, "resilience: critical nodes ...")
        crit = rs.critical_nodes(G, progress=big, workers=rs.auto_workers(G))
        out["critical"] = [
            {
                "oem": _short(r["oem"]),
                "label": r["label"],
                "suppliers": r["suppliers"],
                "connectivity": r["connectivity"],
                "cut": [_short(x) for x in r["cut"]],
                "dominators": [_short(x) for x in r["dominators"]],
            }
            for r in crit.per_oem
        ]
        out["articulation-points"] = [
            {"node": _short(n), "label": G.nodes[n].get("label")} for n in crit.articulation_points
        ]
        out["bridges"] = [{"a": _short(a), "b": _short(b)} for a, b in crit.bridges]
        scores["node_connectivity"] = {r["oem"]: r["connectivity"] for r in crit.per_oem}
        scores["dominator_count"] = {r["oem"]: len(r["dominators"]) for r in crit.per_oem}
        scores["articulation_point"] = dict.fromkeys(crit.articulation_points, 1.0)
    if section in ("all", "robustness"):
        rows = []
        for strat in strategies or ("random", "degree", "betweenness"):
            res = rs.robustness(
                G, strat, trials=trials, seed=seed, recompute=recompute, points=points, progress=big
            )
            rows.append(
                {
                    "strategy": strat,
                    "recompute": recompute,
                    "trials": res.trials,
                    "R_lcc": res.r_lcc,
                    "R_lcc_std": res.r_lcc_std,
                    "R_oem": res.r_oem,
                    "R_oem_std": res.r_oem_std,
                    "oems": res.parameters["oems"],
                    **(
                        {
                            "fractions": res.fractions,
                            "lcc_mean": res.lcc_mean,
                            "lcc_std": res.lcc_std,
                            "oem_mean": res.oem_mean,
                            "oem_std": res.oem_std,
                        }
                        if fmt != "table"
                        else {}
                    ),
                }
            )
        out["robustness"] = rows
    if fmt == "table":
        click.echo(
            "\n\n".join(
                render(rows, fmt, title=name.replace("-", " ").capitalize(), synthetic=synthetic)
                for name, rows in out.items()
            )
        )
    elif fmt == "json":
        click.echo(
            json.dumps(
                {"synthetic": synthetic, "graph": graphs, **out},
                indent=2,
                default=str,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(render(out[section], fmt, synthetic=synthetic))
    if write:
        _write(
            kg,
            "resilience",
            {"section": section, "seed": seed, "trials": trials, "recompute": recompute},
            scores,
            started,
            graphs,
            synthetic,
        )


@analyze.command()
@_common
@click.option(
    "--remove",
    "remove",
    multiple=True,
    help="An enterprise to remove: IRI, slug (enterprise/catl) or label. Repeatable.",
)
@click.option(
    "--remove-region",
    "remove_regions",
    multiple=True,
    help="Remove every firm and site located in this region (label or IRI) or in "
    "any region part of it. Repeatable.",
)
@click.option(
    "--keep-region",
    "keep_regions",
    multiple=True,
    help="Remove every located firm OUTSIDE this region.",
)
@click.option(
    "--mode",
    type=click.Choice(["and", "threshold"]),
    default="and",
    show_default=True,
    help="Cascade rule.",
)
@click.option("--theta", default=0.5, show_default=True, help="Threshold-mode failure share.")
@_errors
def scenario(
    graphs, fmt, write, store, data, seed, scale, remove, remove_regions, keep_regions, mode, theta
) -> None:
    """Remove firms or regions, cascade the failure, report the damage per cluster."""
    from clusterkg.analytics.projection import located_entities, resolve_nodes, resolve_region
    from clusterkg.analytics.scenarios import run_scenario
    from clusterkg.analytics.writeback import now

    started = now()
    kg = _open(store, data, graphs, seed, scale)
    G = _supply(kg, graphs)
    named = resolve_nodes(G, remove)
    regions = [resolve_region(kg, r) for r in remove_regions]
    rep = run_scenario(
        G,
        remove=named,
        remove_regions=regions,
        located={r: located_entities(kg, r) for r in regions},
        keep_regions=[resolve_region(kg, r) for r in keep_regions],
        mode=mode,
        theta=theta,
    )
    d = rep.to_dict()
    if fmt == "json":
        click.echo(json.dumps(d, indent=2, default=str, ensure_ascii=False))
    else:
        rows = [{"cluster": _short(c), **v} for c, v in rep.per_cluster.items()]
        if fmt == "table":
            click.echo(
                f"removed {len(rep.removed)}"
                + (
                    f" (and {len(rep.unlinked)} entities without supply links)"
                    if rep.unlinked
                    else ""
                )
                + f", failed in total {len(rep.failed)} "
                f"({len(rep.cascaded)} by cascade, {rep.rounds} rounds); affected OEMs "
                f"{len(rep.affected_oems)}; lost supply value {rep.lost_value:,.0f} CNY "
                f"over {rep.lost_links} links"
            )
            if rep.removed:
                click.echo(
                    "removed: "
                    + ", ".join(
                        f"{G.nodes[n].get('label')} ({_short(n)})" for n in rep.removed[:20]
                    )
                    + (f" and {len(rep.removed) - 20} more" if len(rep.removed) > 20 else "")
                )
            for note in rep.notes:
                click.echo(f"note: {note}")
        click.echo(render(rows, fmt, title="Scenario damage per cluster", synthetic=rep.synthetic))
        if fmt == "table" and rep.affected_oems:
            click.echo()
            click.echo(
                render(
                    [
                        {
                            **a,
                            "oem": _short(a["oem"]),
                            "cluster": _short(a["cluster"]),
                            "lost_suppliers": [_short(s) for s in a["lost_suppliers"]],
                        }
                        for a in rep.affected_oems[:50]
                    ],
                    fmt,
                    title="Affected OEMs",
                    synthetic=rep.synthetic,
                )
            )
    if write:
        _write(
            kg,
            "scenario",
            rep.parameters,
            {"failure_round": {n: float(r) for n, r in rep.failure_round.items()}},
            started,
            graphs,
            rep.synthetic,
        )


@analyze.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--write", is_flag=True, help="Also store the results in the analytics graph.")
@click.option("--store", default=None, help="memory | oxigraph:DIR | sparql:URL[,URL]")
@_errors
def indicators(fmt, write, store) -> None:
    """Cluster shares, HHI across clusters, parts per vehicle enterprise, location quotients."""
    from clusterkg.analytics.indicators import cluster_indicators
    from clusterkg.analytics.writeback import now

    started = now()
    kg = _open(store, (), "curated", 0, 1.0)
    res = cluster_indicators(kg)
    rows = [
        {k: (_short(v) if k == "cluster" else v) for k, v in r.items() if k != "sources"}
        for r in res["clusters"]
    ]
    if fmt == "json":
        click.echo(
            json.dumps({"synthetic": False, **res}, indent=2, default=str, ensure_ascii=False)
        )
    else:
        if fmt == "table":
            click.echo(
                f"HHI across clusters: vehicle enterprises "
                f"{_cell(res['hhi']['vehicle_enterprises'])}, parts enterprises "
                f"{_cell(res['hhi']['parts_enterprises'])}"
            )
        click.echo(render(rows, fmt, title="Cluster indicators (from the KG's observations)"))
    if write:
        metrics = (
            "vehicle_enterprises_share",
            "parts_enterprises_share",
            "parts_per_vehicle_enterprise",
            "parts_location_quotient",
        )
        scores = {
            m: {r["cluster"]: r[m] for r in res["clusters"] if r[m] is not None} for m in metrics
        }
        _write(kg, "indicators", {}, scores, started, "curated", False)


@main.command()
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    help="1.0 = the sources' 259 OEMs and ~12,900 parts firms.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TriG file to write (default: standard output).",
)
@click.option("--store", default=None, help="Read the calibration from this store.")
@_errors
def generate(seed, scale, out, store) -> None:
    """Generate the calibrated synthetic national automobile supply network (TriG).

    The network goes into its own named graph (graph/synthetic); every node is a
    ck:SyntheticEntity linked to the ck:AnalysisRun that records the seed and parameters.
    The same seed gives the same bytes. Load it with --data FILE.
    """
    from clusterkg.analytics.generate import Parameters
    from clusterkg.analytics.generate import generate as build
    from clusterkg.config import Settings
    from clusterkg.store.kg import open_kg

    kg = open_kg(Settings.from_env(store=store))
    text, summary = build(kg, Parameters(seed=seed, scale=scale), progress=True)
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    click.echo(
        f"synthetic network: {summary['firms']} firms, {summary['links']} supply links "
        f"(seed {seed}, scale {scale:g}, run {summary['run']})" + (f" -> {out}" if out else ""),
        err=True,
    )
