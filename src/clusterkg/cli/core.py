"""``clusterkg validate``, ``stats``, ``query`` and ``queries``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from clusterkg.cli.options import data_argument, format_option, store_option
from clusterkg.cli.output import render, render_result, to_json
from clusterkg.cli.session import knowledge_graph, settings
from clusterkg.errors import Finding, UnusableInput
from clusterkg.queries import load_queries, parse_query_file
from clusterkg.shacl import validate_paths_sparql
from clusterkg.stats import kg_statistics
from clusterkg.store.query_engine import QueryError
from clusterkg.validate import validate_paths


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


def _has_header(path: Path) -> bool:
    return path.read_text(encoding="utf-8").lstrip().startswith("# title:")


@click.command()
@click.argument("query")
@click.option(
    "--param",
    "-p",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter of a named query (repeatable).",
)
@format_option("table", "csv", "json")
@store_option
@click.option("--limit", type=int, default=None, help="Row limit (default: the configured one).")
def query(
    query: str, param: tuple[str, ...], fmt: str, store: str | None, limit: int | None
) -> None:
    """Run a named query (by name), a .rq file, or '-' for a query on standard input."""
    config = settings(store=store)
    params = _params(param)
    named = load_queries(config.query_dirs)
    try:
        if query == "-":
            if params:
                raise UnusableInput("--param works with named queries and .rq files only")
            text, bindings = sys.stdin.read(), None
        elif query in named:
            text, bindings = named[query].text, named[query].bindings(params)
        elif query.endswith(".rq") and Path(query).is_file():
            nq = parse_query_file(Path(query)) if _has_header(Path(query)) else None
            text = Path(query).read_text(encoding="utf-8")
            bindings = nq.bindings(params) if nq else None
        else:
            raise UnusableInput(
                f"no named query or .rq file {query!r}; named queries: {', '.join(named)}"
            )
        with knowledge_graph(config) as kg:
            kwargs: dict[str, Any] = {"row_limit": limit} if limit is not None else {}
            result = kg.engine.query(text, bindings=bindings, **kwargs)
            click.echo(render_result(result, fmt))
    except QueryError as exc:
        raise QueryFailed(str(exc)) from None
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
