"""``clusterkg analyze ...`` and ``clusterkg generate``: network analytics from the command line.

Each command opens the knowledge graph, calls one function of
:mod:`clusterkg.analytics.reports` and prints its report as a table, CSV or JSON. ``--write``
also stores the results as RDF in the analytics named graph. Every output that used the
synthetic network says so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clusterkg.analytics import reports
from clusterkg.analytics.centrality import EXACT_THRESHOLD
from clusterkg.cli.options import (
    analysis_options,
    format_option,
    scale_option,
    seed_option,
    store_option,
    write_option,
)
from clusterkg.cli.output import render_report
from clusterkg.cli.session import knowledge_graph, settings
from clusterkg.errors import UnusableInput
from clusterkg.io.atomic import write_bytes_atomic
from clusterkg.store.kg import KnowledgeGraph


def _stderr(message: str) -> None:
    """A progress line on stderr (stdout stays clean for tables, CSV and JSON)."""
    click.echo(message, err=True)


def _emit(
    kg: KnowledgeGraph, report: reports.Report, fmt: str, write: bool, started: Any, graphs: str
) -> None:
    """Print ``report`` in ``fmt`` (its notes on stderr) and, with ``--write``, store it."""
    for note in report["notes"]:
        _stderr(f"note: {note}")
    click.echo(render_report(report, fmt))
    if write:
        n, run = reports.write_back(kg, report, started=started, graphs=graphs)
        where = kg.settings.store
        _stderr(
            f"wrote {n} triples of run {run} to the analytics graph of {where}"
            + (" (in memory: use --store oxigraph:DIR to keep them)" if where == "memory" else "")
        )


def _analyse(
    make: Callable[..., reports.Report],
    *,
    fmt: str,
    write: bool,
    store: str | None,
    data: tuple[Path, ...] = (),
    graphs: str = "curated",
    **options: Any,
) -> None:
    """Open the graph, make one report with the command's own ``options``, print it."""
    from clusterkg.analytics.writeback import now

    started = now()
    with knowledge_graph(settings(store=store), extra=data, log=_stderr) as kg:
        report = make(kg, graphs, log=_stderr, **options)
        _emit(kg, report, fmt, write, started, graphs)


#: The JSON keys of ``analyze resilience`` that differ from ``/api/resilience``'s: the JSON
#: takes the HTTP API's snake_case names (one vocabulary for scripts of either), while the
#: ``--section`` choices keep theirs (``--section self-sufficiency`` prints the
#: ``self_sufficiency`` key; ``--section critical`` prints ``oems``, ``articulation_points``
#: and ``bridges``). README, "Command line", documents the mapping.
RESILIENCE_JSON_KEYS = {
    "self-sufficiency": "self_sufficiency",
    "articulation-points": "articulation_points",
    "critical": "oems",
}


def resilience_report(*args: Any, **kwargs: Any) -> reports.Report:
    """:func:`clusterkg.analytics.reports.resilience` with its JSON under the HTTP API's keys."""
    report = reports.resilience(*args, **kwargs)
    report["json"] = {RESILIENCE_JSON_KEYS.get(k, k): v for k, v in report["json"].items()}
    return report


@click.group()
def analyze() -> None:
    """Network analytics: centrality, communities, resilience, scenarios, indicators."""


@analyze.command()
@analysis_options
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    help="Metrics to compute (default all): in_degree out_degree in_strength "
    "out_strength betweenness pagerank katz eigenvector closeness harmonic.",
)
@click.option(
    "--k",
    default=256,
    show_default=True,
    type=click.IntRange(min=1),
    help="Sample sources above the threshold.",
)
@click.option(
    "--exact-threshold",
    default=EXACT_THRESHOLD,
    show_default=True,
    type=click.IntRange(min=0),
    help="Node count up to which betweenness/closeness/harmonic are exact (igraph computes "
    "them exactly at every size this machine holds; lower it only to sample).",
)
@click.option(
    "--top",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Rows in table format (0 = all).",
)
@click.option("--sort", "sort_by", default="betweenness", show_default=True)
def centrality(**options: Any) -> None:
    """Degree, strength, betweenness, PageRank, Katz, eigenvector, closeness, harmonic."""
    _analyse(reports.centrality, **options)


@analyze.command()
@analysis_options
@click.option(
    "--network",
    type=click.Choice(["supply", "cluster"]),
    default="cluster",
    show_default=True,
    help="The supply network or the cluster network.",
)
@click.option(
    "--resolution",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Louvain resolution (more than 0; higher: smaller communities).",
)
def communities(**options: Any) -> None:
    """Louvain communities and their agreement with the declared clusters (NMI, ARI)."""
    _analyse(reports.communities, **options)


@analyze.command()
@analysis_options
@click.option(
    "--section",
    type=click.Choice(list(reports.RESILIENCE_SECTIONS)),
    default="all",
    show_default=True,
)
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    type=click.Choice(list(reports.ROBUSTNESS_STRATEGIES)),
    help="Removal strategies for the robustness curves (default all three).",
)
@click.option(
    "--trials",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Random-removal trials.",
)
@click.option("--recompute", is_flag=True, help="Recompute targeted scores after removals.")
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=None,
    help="With --recompute: nodes removed between two recomputations (default: automatic, "
    "about 200 recomputations per curve).",
)
@click.option(
    "--points",
    default=50,
    show_default=True,
    type=click.IntRange(min=2),
    help="Points of each curve.",
)
@click.option(
    "--all-firms",
    is_flag=True,
    help="Single points of failure for every firm, not only the vehicle makers (OEMs).",
)
def resilience(**options: Any) -> None:
    """Sourcing HHI, self-sufficiency, critical nodes, single points of failure, robustness.

    A single point of failure is a firm or site whose failure alone makes an OEM fail under
    the scenarios' AND cascade (it loses every supplier of some item it buys); the JSON
    carries them as single_points_of_failure, ranked by OEMs lost and value at risk, with the
    same ranking per region and per cluster (docs/analytics.md).
    """
    if options["fmt"] == "csv" and options["section"] == "all":
        raise UnusableInput("CSV holds one table: choose a --section")
    _analyse(resilience_report, **options)


@analyze.command()
@analysis_options
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
    "--kind",
    "kinds",
    multiple=True,
    help="Remove only firms of this class (BatteryMaker, PartsSupplier, ...; subclasses "
    "count). Repeatable; combined with the other options as an intersection.",
)
@click.option(
    "--cluster",
    "clusters",
    multiple=True,
    help="Remove only members of this cluster (label, slug or IRI). Repeatable.",
)
@click.option(
    "--mode",
    type=click.Choice(["and", "threshold"]),
    default="and",
    show_default=True,
    help="Cascade rule.",
)
@click.option(
    "--theta",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Threshold-mode failure share.",
)
def scenario(**options: Any) -> None:
    """Remove what the selection holds, cascade the failure, report the damage and why.

    The options select as an INTERSECTION: --remove-region Yibin --kind BatteryMaker removes
    only the battery makers located in Yibin. Every failed OEM is listed with the item it
    could no longer source and the chain back to a removed node.
    """
    _analyse(reports.scenario, **options)


@analyze.command()
@format_option("table", "csv", "json")
@write_option
@store_option
def indicators(**options: Any) -> None:
    """Cluster shares, HHI across clusters, parts per vehicle enterprise, location quotients."""
    _analyse(reports.indicators, **options)


@click.command()
@seed_option
@scale_option("1.0 = the sources' 259 OEMs and ~12,900 parts firms.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TriG file to write (default: standard output).",
)
@store_option
def generate(seed: int, scale: float, out: Path | None, store: str | None) -> None:
    """Generate the calibrated synthetic national automobile supply network (TriG).

    The network goes into its own named graph (graph/synthetic); every node is a
    ck:SyntheticEntity linked to the ck:AnalysisRun that records the seed and parameters.
    The same seed gives the same bytes. Load it with --data FILE.
    """
    from clusterkg.analytics.generate import Parameters
    from clusterkg.analytics.generate import generate as build

    with knowledge_graph(settings(store=store)) as kg:
        text, summary = build(kg, Parameters(seed=seed, scale=scale), progress=True)
    if out is None:
        sys.stdout.write(text)
    else:
        write_bytes_atomic(out, text.encode("utf-8"))
    _stderr(
        f"synthetic network: {summary['firms']} firms, {summary['links']} supply links "
        f"(seed {seed}, scale {scale:g}, run {summary['run']})" + (f" -> {out}" if out else "")
    )


COMMANDS = [analyze, generate]
