"""``clusterkg validate``, ``stats``, ``query`` and ``queries``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from clusterkg.cli.options import (
    data_argument,
    data_option,
    format_option,
    limit_option,
    store_option,
)
from clusterkg.cli.output import render, render_result, to_json
from clusterkg.cli.session import knowledge_graph, settings
from clusterkg.errors import Finding, UnusableInput
from clusterkg.queries import load_queries, parse_query_file
from clusterkg.shacl import validate_paths_sparql
from clusterkg.stats import kg_statistics
from clusterkg.store.query_engine import QueryError
from clusterkg.validate import validate_paths
from clusterkg.views.query_errors import readable
from clusterkg.views.query_params import resolve_parameters


class QueryFailed(Finding):
    """A query that was read but could not run (README: a query error is a finding, exit 1)."""


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option("text", "json", "turtle")
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Shape files (default: ontology/shapes*.ttl).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "sparql", "pyshacl"]),
    default="auto",
    show_default=True,
    help="sparql: shapes compiled to SPARQL on Oxigraph (fast); pyshacl: the reference; "
    "auto: sparql, with pySHACL for any shape it cannot compile.",
)
def validate(paths: tuple[Path, ...], fmt: str, shapes: tuple[Path, ...], engine: str) -> None:
    """Validate RDF files against the SHACL shapes (default: ontology/ and graphs/).

    Exit 0 conforms, 1 violations, 2 unusable input (pySHACL's contract).
    """
    config = settings()
    targets = list(paths) or config.bundled_paths()
    shape_files = list(shapes) or None
    if engine == "pyshacl":
        report = validate_paths(
            targets, root=Path.cwd(), ontology_dir=config.ontology_dir, shapes=shape_files
        )
    else:
        run = validate_paths_sparql(
            targets,
            root=Path.cwd(),
            ontology_dir=config.ontology_dir,
            shapes=shape_files,
            allow_fallback=engine == "auto",
        )
        for shape, why in run.fallbacks.items():
            click.echo(f"note: {shape} validated by pySHACL ({why})", err=True)
        report = run.report
    if fmt == "json":
        click.echo(report.to_json())
    elif fmt == "turtle":
        click.echo(report.to_turtle())
    else:
        click.echo(report.to_text())
    sys.exit(report.exit_code)


@click.command()
@store_option
@format_option("table", "json")
@data_argument()
def stats(store: str | None, fmt: str, data: tuple[Path, ...]) -> None:
    """Triples per named graph, instances per class, observations per indicator."""
    with knowledge_graph(settings(store=store, data=tuple(data))) as kg:
        figures = kg_statistics(kg)
    if fmt == "json":
        click.echo(to_json(figures))
        return
    for section, rows in figures.items():
        if not isinstance(rows, list):
            click.echo(f"{section}: {rows}")
            continue
        click.echo(f"\n{section}")
        click.echo(render(rows, "table"))


def _params(items: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in items:
        if "=" not in item:
            raise UnusableInput(f"--param takes NAME=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        params[key.strip()] = value
    return params


def read_utf8(data: bytes, where: str) -> str:
    """``data`` decoded as UTF-8, or :class:`UnusableInput` naming ``where`` and the first
    byte that is not UTF-8 (a query file saved in another encoding, a binary file)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInput(
            f"{where}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None


def _query_source(query: str, named: dict[str, Any]) -> tuple[str, Any]:
    """The text of QUERY (a named query, a .rq file or '-' for standard input) and its named
    query (whose header declares the parameters), or None."""
    if query == "-":
        return read_utf8(sys.stdin.buffer.read(), "standard input"), None
    if query in named:
        return named[query].text, named[query]
    path = Path(query)
    if query.endswith(".rq") and path.is_file():
        text = read_utf8(path.read_bytes(), query)
        return text, parse_query_file(path) if text.lstrip().startswith("# title:") else None
    raise UnusableInput(f"no named query or .rq file {query!r}; named queries: {', '.join(named)}")


@click.command()
@click.argument("query")
@click.option(
    "--param",
    "-p",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter of a named query (repeatable): an IRI, an id path "
    "(enterprise/changan-automobile) or a label or alias (Changan), as over HTTP.",
)
@format_option("table", "csv", "json")
@store_option
@data_option
@limit_option
def query(
    query: str,
    param: tuple[str, ...],
    fmt: str,
    store: str | None,
    data: tuple[Path, ...],
    limit: int | None,
) -> None:
    """Run a named query (by name), a .rq file, or '-' for a query on standard input."""
    config = settings(store=store, data=tuple(data) or None)
    params = _params(param)
    text, named_query = _query_source(query, load_queries(config.query_dirs))
    if params and named_query is None:
        raise UnusableInput("--param works with named queries and .rq files with a header only")
    with knowledge_graph(config) as kg:
        try:
            bindings = None
            if named_query is not None:
                # Labels and aliases ("Changan") resolve as over HTTP (views.query_params).
                bindings = named_query.bindings(resolve_parameters(kg, named_query, params))
            kwargs: dict[str, Any] = {"row_limit": limit} if limit is not None else {}
            result = kg.engine.query(text, bindings=bindings, **kwargs)
        except QueryError as exc:
            # The same explanation as the HTTP API's (views.query_errors), found in a worker.
            raise QueryFailed(str(readable(kg, text, exc))) from None
        click.echo(render_result(result, fmt))
    if result.truncated:
        click.echo(f"note: stopped at the row limit of {result.row_limit}; use --limit", err=True)


@click.command(name="queries")
@format_option("table", "json")
def list_queries(fmt: str) -> None:
    """List the named queries with their titles and parameters."""
    named = load_queries(settings().query_dirs)
    if fmt == "json":
        click.echo(to_json([q.describe() for q in named.values()]))
        return
    rows = [
        {"name": q.name, "title": q.title, "parameters": ", ".join(p.name for p in q.parameters)}
        for q in named.values()
    ]
    click.echo(render(rows, "table"))


COMMANDS = [validate, stats, query, list_queries]
