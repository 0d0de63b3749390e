"""``clusterkg import``, ``export`` and ``load``: bringing data in and taking it out.

Exit codes: 0 done, 1 the import found problems (every bad row is listed, nothing written),
2 unusable input or arguments (unknown graph, unreadable query, a store that cannot open).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from clusterkg.cli import main
from clusterkg.config import Settings
from clusterkg.io.templates import TEMPLATES, template_csv

KINDS = list(TEMPLATES)
_STORE_HELP = "memory (default), oxigraph:DIR or sparql:QUERY_URL[,UPDATE_URL]"


@main.command("import")
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
@click.option("--store", help=f"write into this store: {_STORE_HELP}")
@click.option(
    "--token",
    envvar="CLUSTERKG_REMOTE_TOKEN",
    help="bearer token of a sparql: store's updates (clusterkg serve --update-token) "
    "[env CLUSTERKG_REMOTE_TOKEN, which keeps it out of the process list]",
)
def import_command(file, kind, template_kind, mapping, source_title, into, store, token) -> None:
    """Check FILE row by row and against the SHACL shapes, then add it as a named graph.

    Nothing is written unless every row is valid. Without --into or --store the file is
    only checked.
    """
    if template_kind:
        click.echo(template_csv(template_kind), nl=False)
        return
    if into and store:
        raise click.UsageError("give --into or --store, not both")
    if mapping:
        from clusterkg.io.rml import import_mapping as run

        args: dict = {"mapping": mapping}
    else:
        if not file or not kind:
            raise click.UsageError("give FILE and --kind (or --template KIND, or --mapping)")
        from clusterkg.io.csv_import import import_csv as run

        args = {"path": file, "kind": kind}
    from clusterkg.io.csv_import import ImportFailed

    settings = Settings.from_env()
    try:
        result = run(
            **args,
            settings=settings,
            source_title=source_title,
            into=into,
            store=store,
            token=token,
        )
    except ImportFailed as exc:
        click.echo(exc.report(), err=True)
        sys.exit(1)
    click.echo(result.summary())


@main.command("rml-setup")
@click.option(
    "--venv",
    "env_dir",
    type=click.Path(file_okay=False),
    help="where to make it (default $CLUSTERKG_RML_VENV or ~/.cache/clusterkg/rml-venv)",
)
def rml_setup_command(env_dir) -> None:
    """Make the virtualenv in which morph-kgc runs RML/YARRRML mappings (once; reused).

    morph-kgc pins older rdflib and pyoxigraph than clusterkg needs, so it gets an environment
    of its own instead of being installed beside clusterkg. Needs PyPI (about 280 MB).
    """
    from clusterkg.io.rml import RmlSetupFailed, setup_venv

    try:
        setup_venv(Path(env_dir) if env_dir else None, log=click.echo)
    except RmlSetupFailed as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if env_dir:
        click.echo(f"use it with: export CLUSTERKG_RML_VENV={Path(env_dir).resolve()}")


@main.command("export")
@click.argument("out", type=click.Path())
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["turtle", "trig", "nquads", "jsonld", "graphml", "gexf", "csv"]),
)
@click.option("--graph", help="one named graph: its IRI or file stem (e.g. auto-clusters)")
@click.option(
    "--query",
    "query_file",
    type=click.Path(dir_okay=False),
    help="a .rq file: CONSTRUCT/DESCRIBE for any format, SELECT for csv",
)
@click.option("--store", help=_STORE_HELP)
def export_command(out, fmt, graph, query_file, store) -> None:
    """Write the graph to OUT (a folder for csv: nodes.csv + edges.csv)."""
    from clusterkg.io.export import ExportError, export

    kg = _open(store)
    try:
        result = export(kg, fmt, out, graph=graph, query_file=query_file)
    except (ExportError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        kg.close()
    click.echo(result.summary())


@main.command("load")
@click.argument("directory", type=click.Path(file_okay=False))
@click.argument("data", nargs=-1, type=click.Path())
@click.option("--no-bundled", is_flag=True, help="do not load ontology/ and graphs/")
def load_command(directory, data, no_bundled) -> None:
    """Fill the persistent Oxigraph store in DIRECTORY with the bundled graphs and DATA.

    Each file is one transaction: a crash leaves every file either loaded or absent.
    Graphs already in the store are replaced by the file of the same name.
    """
    from clusterkg.io.persistent_load import LoadProblem, load_store

    try:
        reports = load_store(
            Path(directory), [Path(d) for d in data], Settings.from_env(), bundled=not no_bundled
        )
    except LoadProblem as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for r in reports:
        click.echo(f"{r.graph or '(quads)'}: {r.triples} triples from {r.path}")
    click.echo(f"store oxigraph:{directory}: {len(reports)} file(s) loaded")


def _open(store: str | None):
    from clusterkg.store.backends import BackendError
    from clusterkg.store.graph_files import LoadError
    from clusterkg.store.kg import open_kg

    try:
        return open_kg(Settings.from_env(store=store))
    except (BackendError, LoadError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
