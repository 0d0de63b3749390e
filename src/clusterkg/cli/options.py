"""The options that several commands share, declared once (datasette's style).

Each name is a decorator: ``@store_option`` adds ``--store``, ``@format_option("table",
"json")`` adds ``--format`` with those choices (the first is the default), and so on. The
settings they name are documented in README.md's configuration table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

STORE_HELP = (
    "memory (default), oxigraph:DIR or sparql:QUERY_URL[,UPDATE_URL] [env CLUSTERKG_STORE]."
)


def apply(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """One decorator applying ``decorators`` so that options list in the order given."""

    def wrap(fn: F) -> F:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return wrap


def store_option(fn: F) -> F:
    """``--store SPEC``: the store to open (default ``CLUSTERKG_STORE`` or memory)."""
    return click.option("--store", default=None, metavar="SPEC", help=STORE_HELP)(fn)


def format_option(*choices: str, required: bool = False) -> Callable[[F], F]:
    """``--format`` with ``choices``; the first is the default unless the option is required."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        required=required,
        default=None if required else choices[0],
        show_default=not required,
        help="Output format.",
    )


def data_argument(*, exists: bool = False) -> Callable[[F], F]:
    """``DATA...``: extra RDF files or folders to load beside the bundled graphs."""
    return click.argument("data", nargs=-1, type=click.Path(exists=exists, path_type=Path))


#: ``--data FILE`` (repeatable): extra RDF files to load (e.g. a generated synthetic.trig).
data_option = click.option(
    "--data",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Extra RDF files to load (e.g. a generated synthetic.trig).",
)

#: ``--limit N`` (alias ``--row-limit``, the name of ``serve`` and of the README's
#: configuration table): rows or triples per result, at least 1.
limit_option = click.option(
    "--limit",
    "--row-limit",
    "limit",
    type=click.IntRange(min=1),
    default=None,
    help="Rows or triples per result, at least 1 [default: 10000 or CLUSTERKG_ROW_LIMIT].",
)

#: ``--graph curated|synthetic|all|imports|GRAPH``: which supply links an analysis uses.
analysis_graph_option = click.option(
    "--graph",
    "graphs",
    default="curated",
    show_default=True,
    metavar="curated|synthetic|all|imports|GRAPH",
    help="Which supply links to analyse: the curated graph, the synthetic network, both, "
    "only what `clusterkg import` wrote into the store (imports: your own network, without "
    "the bundled nodes), or one named graph (its IRI or graph/NAME, see `clusterkg stats`).",
)

#: ``--graph NAME``: one named graph by IRI or file stem.
named_graph_option = click.option(
    "--graph", help="one named graph: its IRI or file stem (e.g. auto-clusters)"
)

#: ``--seed N``: the seed of everything random (sampling, Louvain, removal, generation).
seed_option = click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="Seed for sampling, Louvain, random removal and generation.",
)


def scale_option(help: str) -> Callable[[F], F]:
    """``--scale X``: the size of the synthetic network relative to the sources' counts."""
    return click.option(
        "--scale",
        default=1.0,
        show_default=True,
        type=click.FloatRange(min=0, min_open=True),
        help=help,
    )


#: ``--write``: also store an analysis's results as RDF in the analytics named graph.
write_option = click.option(
    "--write", is_flag=True, help="Also store the results as RDF in the analytics named graph."
)

#: The options of every network analysis (``clusterkg analyze ...``).
analysis_options = apply(
    analysis_graph_option,
    format_option("table", "csv", "json"),
    write_option,
    store_option,
    data_option,
    seed_option,
    scale_option("Scale of the synthetic network generated when the store has none."),
)

#: The options of the web server (``clusterkg serve`` and ``clusterkg run``).
server_options = apply(
    click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Interface to listen on (0.0.0.0 exposes the server).",
    ),
    click.option(
        "--port",
        default=8080,
        show_default=True,
        type=click.IntRange(0, 65535),
        help="Port (0 picks a free one).",
    ),
    click.option(
        "--threads",
        default=None,
        type=click.IntRange(1, 256),
        help="waitress request threads per server process [default: from the workers, 15 "
        "for 4; see docs/http-api.md].",
    ),
    click.option(
        "--workers",
        default=None,
        type=click.IntRange(1, 256),
        help="Query worker processes [default: 4 or CLUSTERKG_WORKERS].",
    ),
    click.option(
        "--processes",
        default=None,
        type=click.IntRange(1, 256),
        help="Server processes sharing the port, each with its own workers (more than 1 "
        "needs oxigraph:DIR, sparql:URL or a read-only memory store) "
        "[default: 1 or CLUSTERKG_PROCESSES].",
    ),
    store_option,
    click.option(
        "--update-token",
        default=None,
        help="Allow SPARQL Update with 'Authorization: Bearer <token>' "
        "[env CLUSTERKG_UPDATE_TOKEN].",
    ),
    click.option(
        "--query-timeout",
        default=None,
        type=click.FloatRange(0.1),
        help="Seconds per query [default: 10 or CLUSTERKG_QUERY_TIMEOUT].",
    ),
    click.option(
        "--row-limit",
        default=None,
        type=click.IntRange(1),
        help="Rows or triples per result [default: 10000 or CLUSTERKG_ROW_LIMIT].",
    ),
    click.option(
        "--allow-service",
        multiple=True,
        help="An endpoint SERVICE may call (repeatable); federation is off otherwise.",
    ),
)
