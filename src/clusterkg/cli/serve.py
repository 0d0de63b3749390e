"""``clusterkg serve`` and ``clusterkg run``: the web app under waitress."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from clusterkg.cli import main

EXAMPLES = """\
Try:
  {url}/                                    home: what is in the graph, entry points
  {url}/graph                               graph explorer (clusters, supply network, scenarios)
  {url}/clusters                            the six automobile clusters compared
  {url}/sparql                              query form (browser), service description (RDF)
  {url}/id/cluster/chengdu-chongqing-auto   a linked-data page (HTML, or Turtle by Accept)
  {url}/queries                             the named queries
  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?c WHERE {{ ?c a <{ck}IndustrialCluster> }}' {url}/sparql
"""


def _serve(host: str, port: int, threads: int, overrides: dict, examples: bool) -> None:
    from waitress import create_server

    from clusterkg.store.backends import BackendError
    from clusterkg.store.graph_files import LoadError
    from clusterkg.web.app import create_app

    try:
        app = create_app({**overrides, "quiet": False})
    except (LoadError, BackendError) as exc:
        raise click.ClickException(str(exc)) from None
    settings = app.extensions["clusterkg"].settings
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=settings.max_body_bytes,
        ident="clusterkg",
    )
    url = f"http://{host}:{server.effective_port}"  # type: ignore[union-attr]
    click.echo(
        f"clusterkg serving {settings.store} at {url}/sparql "
        f"(updates {'on' if settings.update_token else 'off'}, "
        f"{settings.query_timeout:g} s / {settings.row_limit} rows per query)"
    )
    if examples:
        click.echo(EXAMPLES.format(url=url, ck="https://w3id.org/clusterkg/ontology#"))
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.extensions["clusterkg"].close()


_options = [
    click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Interface to listen on (0.0.0.0 exposes the server).",
    ),
    click.option(
        "--port", default=8080, show_default=True, type=int, help="Port (0 picks a free one)."
    ),
    click.option(
        "--threads",
        default=4,
        show_default=True,
        type=click.IntRange(1, 256),
        help="waitress request threads.",
    ),
    click.option(
        "--workers",
        default=None,
        type=click.IntRange(1, 256),
        help="Query worker processes [default: 4 or CLUSTERKG_WORKERS].",
    ),
    click.option(
        "--store",
        default=None,
        help="memory | oxigraph:DIR | sparql:QUERY_URL[,UPDATE_URL] [env CLUSTERKG_STORE].",
    ),
    click.option(
        "--update-token",
        default=None,
        envvar="CLUSTERKG_UPDATE_TOKEN",
        help="Allow SPARQL Update with 'Authorization: Bearer <token>'.",
    ),
    click.option(
        "--query-timeout",
        default=None,
        type=click.FloatRange(0.1),
        help="Seconds per query [default: 10].",
    ),
    click.option(
        "--row-limit",
        default=None,
        type=click.IntRange(1),
        help="Rows or triples per result [default: 10000].",
    ),
    click.option(
        "--allow-service",
        multiple=True,
        help="An endpoint SERVICE may call (repeatable); federation is off otherwise.",
    ),
]


def _with_options(func):
    for option in reversed(_options):
        func = option(func)
    return func


def _overrides(
    store, update_token, query_timeout, row_limit, allow_service, workers, data=()
) -> dict:
    return {
        "store": store,
        "update_token": update_token,
        "query_timeout": query_timeout,
        "row_limit": row_limit,
        "service_allowlist": tuple(allow_service) or None,
        "workers": workers,
        "data": tuple(Path(d) for d in data) or None,
    }


@main.command()
@_with_options
@click.argument("data", nargs=-1, type=click.Path(exists=True, path_type=Path))
def serve(
    host, port, threads, workers, store, update_token, query_timeout, row_limit, allow_service, data
) -> None:
    """Serve the knowledge graph (and extra DATA files or folders) over SPARQL and HTTP."""
    overrides = _overrides(
        store, update_token, query_timeout, row_limit, allow_service, workers, data
    )
    _serve(host, port, threads, overrides, examples=False)


@main.command()
@_with_options
def run(
    host, port, threads, workers, store, update_token, query_timeout, row_limit, allow_service
) -> None:
    """Serve the bundled graph and print the URL with a few example queries (``make run``)."""
    overrides = _overrides(store, update_token, query_timeout, row_limit, allow_service, workers)
    _serve(host, port, threads, overrides, examples=True)
