"""``clusterkg import``, ``export``, ``load`` and ``rml-setup``: data in and out.

Exit codes: 0 done, 1 the import found problems (every bad row is listed, nothing written),
2 unusable input or arguments (unknown graph, unreadable query, a store that cannot open).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from clusterkg.cli.options import data_option, format_option, named_graph_option, store_option
from clusterkg.cli.session import knowledge_graph, settings
from clusterkg.io.templates import TEMPLATES, template_csv

KINDS = list(TEMPLATES)
EXPORT_FORMATS = ("turtle", "trig", "nquads", "jsonld", "graphml", "gexf", "csv")


@click.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--kind", type=click.Choice(KINDS), help="what the rows are")
@click.option(
    "--template",
    "template_kind",
    type=click.Choice(KINDS),
    help="print the header row and an example row of KIND, then stop",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False),
    help="an RML/YARRRML mapping instead of --kind (run by morph-kgc; clusterkg rml-setup first)",
)
@click.option("--source", "source_title", help="title of the source the rows come from")
@click.option("--into", type=click.Path(dir_okay=False), help="append to this Turtle file")
@store_option
@click.option(
    "--token",
    help="bearer token of a sparql: store's updates (clusterkg serve --update-token) "
    "[env CLUSTERKG_REMOTE_TOKEN, which keeps it out of the process list]",
)
def import_command(
    file: str | None,
    kind: str | None,
    template_kind: str | None,
    mapping: str | None,
    source_title: str | None,
    into: str | None,
    store: str | None,
    token: str | None,
) -> None:
    """Check FILE row by row and against the SHACL shapes, then add it as a named graph.

    Nothing is written unless every row is valid. Without --into or --store (or
    CLUSTERKG_STORE) the file is only checked.
    """
    if template_kind:
        click.echo(template_csv(template_kind), nl=False)
        return
    if into and store:
        raise click.UsageError("give --into or --store, not both")
    config = settings()
    # CLUSTERKG_STORE is the target like every command's store, unless --into says otherwise;
    # the default in-memory store keeps nothing, so there an import only checks.
    if store is None and into is None and config.store != "memory":
        store = config.store
    target: dict[str, Any] = {
        "settings": config,
        "source_title": source_title,
        "into": into,
        "store": store,
    }
    if mapping:
        from clusterkg.io.rml import import_mapping

        result = import_mapping(mapping=mapping, token=token, **target)
    else:
        if not file or not kind:
            raise click.UsageError("give FILE and --kind (or --template KIND, or --mapping)")
        from clusterkg.io.csv_import import import_csv

        result = import_csv(path=file, kind=kind, token=token, **target)
    click.echo(result.summary())


@click.command("rml-setup")
@click.option(
    "--venv",
    "env_dir",
    type=click.Path(file_okay=False),
    help="where to make it (default $CLUSTERKG_RML_VENV or ~/.cache/clusterkg/rml-venv)",
)
def rml_setup_command(env_dir: str | None) -> None:
    """Make the virtualenv in which morph-kgc runs RML/YARRRML mappings (once; reused).

    morph-kgc pins older rdflib and pyoxigraph than clusterkg needs, so it gets an environment
    of its own instead of being installed beside clusterkg. Needs PyPI (about 280 MB).
    """
    from clusterkg.io.rml import setup_venv

    setup_venv(Path(env_dir) if env_dir else None, log=click.echo)
    if env_dir:
        click.echo(f"use it with: export CLUSTERKG_RML_VENV={Path(env_dir).resolve()}")


@click.command("export")
@click.argument("out", type=click.Path())
@format_option(*EXPORT_FORMATS, required=True)
@named_graph_option
@click.option(
    "--query",
    "query_file",
    type=click.Path(dir_okay=False),
    help="a .rq file: CONSTRUCT/DESCRIBE for any format, SELECT for csv",
)
@store_option
@data_option
def export_command(
    out: str,
    fmt: str,
    graph: str | None,
    query_file: str | None,
    store: str | None,
    data: tuple[Path, ...],
) -> None:
    """Write the graph to OUT: a file, or for csv without --query a folder (nodes.csv +
    edges.csv). The summary counts what was written: triples, quads (trig, nquads), rows
    (a SELECT as csv) or nodes and edges."""
    from clusterkg.io.export import export

    with knowledge_graph(settings(store=store, data=tuple(data) or None)) as kg:
        result = export(kg, fmt, out, graph=graph, query_file=query_file)
    click.echo(result.summary())


@click.command("load")
@click.argument("directory", type=click.Path(file_okay=False))
@click.argument("data", nargs=-1, type=click.Path())
@click.option("--no-bundled", is_flag=True, help="do not load ontology/ and graphs/")
def load_command(directory: str, data: tuple[str, ...], no_bundled: bool) -> None:
    """Fill the persistent Oxigraph store in DIRECTORY with the bundled graphs and DATA.

    Each file is one transaction: a crash leaves every file either loaded or absent.
    Graphs already in the store are replaced by the file of the same name.
    """
    from clusterkg.io.persistent_load import load_store

    reports = load_store(
        Path(directory), [Path(d) for d in data], settings(), bundled=not no_bundled
    )
    for r in reports:
        click.echo(f"{r.graph or '(quads)'}: {r.triples} triples from {r.path}")
    click.echo(f"store oxigraph:{directory}: {len(reports)} file(s) loaded")


COMMANDS = [import_command, rml_setup_command, export_command, load_command]
