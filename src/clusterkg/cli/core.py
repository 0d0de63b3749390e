"""``clusterkg validate``, ``stats``, ``query`` and ``queries``."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from clusterkg.cli import main
from clusterkg.config import Settings
from clusterkg.queries import load_queries, parse_query_file
from clusterkg.shacl import UnsupportedShapes, validate_paths_sparql
from clusterkg.stats import kg_statistics
from clusterkg.store.graph_files import LoadError
from clusterkg.store.kg import open_kg
from clusterkg.store.query_engine import QueryError
from clusterkg.store.results import QueryResult
from clusterkg.store.terms import to_python
from clusterkg.validate import EXIT_UNUSABLE, validate_paths


def fail(message: str, code: int = EXIT_UNUSABLE) -> None:
    """Print an error for a person (no traceback) and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


store_option = click.option(
    "--store",
    default=None,
    metavar="SPEC",
    help="memory (default), oxigraph:DIR or sparql:QUERY_URL[,UPDATE_URL]; env CLUSTERKG_STORE.",
)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="Report format.",
)
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
    settings = Settings.from_env()
    targets = list(paths) or settings.bundled_paths()
    kwargs = {"ontology_dir": settings.ontology_dir, "shapes": list(shapes) or None}
    try:
        if engine == "pyshacl":
            report = validate_paths(targets, root=Path.cwd(), **kwargs)
        else:
            run = validate_paths_sparql(
                targets, root=Path.cwd(), allow_fallback=engine == "auto", **kwargs
            )
            for shape, why in run.fallbacks.items():
                click.echo(f"note: {shape} validated by pySHACL ({why})", err=True)
            report = run.report
    except (LoadError, UnsupportedShapes) as exc:
        fail(str(exc))
        return
    if fmt == "json":
        click.echo(report.to_json())
    elif fmt == "turtle":
        click.echo(report.to_turtle())
    else:
        click.echo(report.to_text())
    sys.exit(report.exit_code)


@main.command()
@store_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.argument("data", nargs=-1, type=click.Path(path_type=Path))
def stats(store: str | None, fmt: str, data: tuple[Path, ...]) -> None:
    """Triples per named graph, instances per class, observations per indicator."""
    kg = _open(store, data)
    figures = kg_statistics(kg)
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    for section, rows in figures.items():
        if not isinstance(rows, list):
            click.echo(f"{section}: {rows}")
            continue
        click.echo(f"\n{section}")
        click.echo(render_table(rows))


@main.command()
@click.argument("query")
@click.option(
    "--param",
    "-p",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter of a named query (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@store_option
@click.option("--limit", type=int, default=None, help="Row limit (default: the configured one).")
def query(
    query: str, param: tuple[str, ...], fmt: str, store: str | None, limit: int | None
) -> None:
    """Run a named query (by name), a .rq file, or '-' for a query on standard input."""
    settings = Settings.from_env(**({"store": store} if store else {}))
    params = {}
    for item in param:
        if "=" not in item:
            fail(f"--param takes NAME=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        params[key.strip()] = value
    try:
        named = load_queries(settings.queries_dir)
        if query == "-":
            text, bindings = sys.stdin.read(), None
            if params:
                fail("--param works with named queries and .rq files only")
        elif query in named:
            text, bindings = named[query].text, named[query].bindings(params)
        elif query.endswith(".rq") and Path(query).is_file():
            nq = parse_query_file(Path(query)) if _has_header(Path(query)) else None
            text = Path(query).read_text(encoding="utf-8")
            bindings = nq.bindings(params) if nq else None
        else:
            fail(f"no named query or .rq file {query!r}; named queries: {', '.join(named)}")
            return
        kg = _open_settings(settings)
        kwargs = {"row_limit": limit} if limit is not None else {}
        result = kg.engine.query(text, bindings=bindings, **kwargs)
    except QueryError as exc:
        fail(str(exc), 1)
        return
    click.echo(render_result(result, fmt))
    if result.truncated:
        click.echo(f"note: stopped at the row limit of {result.row_limit}; use --limit", err=True)


@main.command(name="queries")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def list_queries(fmt: str) -> None:
    """List the named queries with their titles and parameters."""
    settings = Settings.from_env()
    try:
        named = load_queries(settings.queries_dir)
    except QueryError as exc:
        fail(str(exc))
        return
    if fmt == "json":
        click.echo(json.dumps([q.describe() for q in named.values()], indent=2, ensure_ascii=False))
        return
    rows = [
        {"name": q.name, "title": q.title, "parameters": ", ".join(p.name for p in q.parameters)}
        for q in named.values()
    ]
    click.echo(render_table(rows))


def _has_header(path: Path) -> bool:
    return path.read_text(encoding="utf-8").lstrip().startswith("# title:")


def _open(store: str | None, data: tuple[Path, ...]):
    settings = Settings.from_env(**({"store": store} if store else {}), data=tuple(data))
    return _open_settings(settings)


def _open_settings(settings: Settings):
    try:
        return open_kg(settings)
    except LoadError as exc:
        fail(str(exc))
    except Exception as exc:  # a store that cannot be opened: say which and why
        fail(f"cannot open store {settings.store!r}: {exc}")


def render_result(result: QueryResult, fmt: str) -> str:
    """A query result as an aligned table, CSV or JSON (plain values)."""
    if result.kind == "ask":
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else str(result.boolean)
    if result.kind == "graph":
        return result.graph().serialize(format="turtle")
    records = [{k: _plain(row.get(k)) for k in result.vars} for row in result.rows]
    if fmt == "json":
        return json.dumps(
            {"vars": result.vars, "rows": records, "truncated": result.truncated},
            indent=2,
            ensure_ascii=False,
            default=str,
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=result.vars, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
        return buf.getvalue().rstrip("\n")
    return render_table(records, result.vars)


def _plain(term):
    value = to_python(term)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def render_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows as a fixed-width text table (long cells shortened)."""
    columns = columns or (list(rows[0]) if rows else [])
    if not columns:
        return "(no rows)"
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("https://w3id.org/clusterkg/id/", "id:")
    return text if len(text) <= 60 else text[:57] + "..."
