"""``clusterkg serve`` and ``clusterkg run``: the web app under waitress."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from clusterkg.cli.options import data_argument, server_options

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


def default_threads(workers: int) -> int:
    """waitress threads for ``workers`` query workers: a request holds its thread while it
    runs and while it waits for a slot (web.limits). One client may run its default share,
    ``workers - 1``, and have ``max(workers - 1, WAITING_PER_CLIENT)`` waiting; 4 threads
    more stay for other clients to reach the queue (15 for 4 workers)."""
    from clusterkg.web.limits import WAITING_PER_CLIENT

    share = max(1, workers - 1)
    return share + max(share, WAITING_PER_CLIENT) + 4


def _log_to_stderr() -> None:
    """The server's log on stderr, one line per event: each error answer under its request id
    (the id a client is shown), each stopped query, waitress's warnings. Without a handler
    Python drops everything below WARNING, and the 4xx lines the docs promise never appear.
    A host application that configured logging itself keeps its own."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )


def _serve(
    *,
    host: str,
    port: int,
    threads: int | None,
    examples: bool,
    data: tuple[Path, ...] = (),
    allow_service: tuple[str, ...] = (),
    **settings_options: Any,
) -> None:
    """Open the app on the settings the options name, then serve it until interrupted."""
    from clusterkg.config import Settings
    from clusterkg.web.app import create_app
    from clusterkg.web.connections import guarded_server
    from clusterkg.web.prefork import (
        check_processes,
        listening_socket,
        per_process,
        run_processes,
        run_until_stopped,
        share_store,
    )

    # Options left at None keep the CLUSTERKG_* value or the default (Settings.from_env).
    overrides = {
        **settings_options,
        "service_allowlist": tuple(allow_service) or None,
        "data": tuple(data) or None,
        "quiet": False,
    }
    from clusterkg.store.backends import require_store

    requested = Settings.from_env(**overrides)
    if not requested.update_token:
        # A read-only server of a folder that does not exist would serve a new, empty-but-
        # bundled store made where a path was mistyped; with updates on it may make one.
        require_store(requested.store)
    check_processes(requested)  # before loading: refused in words
    _log_to_stderr()
    app = create_app(overrides)
    settings = app.extensions["clusterkg"].settings
    kg = app.extensions["clusterkg"]
    processes = settings.processes
    sock = listening_socket(host, port) if processes > 1 else None
    threads = threads or default_threads(settings.workers)

    def make_server() -> Any:
        # Slow or idle connections are timed out and capped per client (web.connections).
        return guarded_server(
            app,
            per_process(settings),
            **({"sockets": [sock]} if sock is not None else {"host": host, "port": port}),
            threads=threads,
            # waitress refuses a body of this size or more; the limit is "up to" max_body_bytes
            max_request_body_size=settings.max_body_bytes + 1,
            ident="clusterkg",
        )

    if sock is not None:
        share_store(kg)
        server = None
        port_bound = sock.getsockname()[1]
    else:
        server = make_server()
        port_bound = server.effective_port
    url = f"http://{host}:{port_bound}"
    served_by = f", {processes} server processes" if processes > 1 else ""
    click.echo(
        f"clusterkg serving {settings.store} at {url}/sparql "
        f"(updates {'on' if settings.update_token else 'off'}, "
        f"{settings.query_timeout:g} s / {settings.row_limit} rows per query{served_by}; "
        f"every limit: {url}/sparql/limits)"
    )
    if examples:
        click.echo(EXAMPLES.format(url=url, ck="https://w3id.org/clusterkg/ontology#"))
    sys.stdout.flush()
    if server is None:
        try:
            status = run_processes(kg, processes, make_server)
        finally:
            assert sock is not None
            sock.close()
            kg.close()
        if status:
            sys.exit(status)
        return
    run_until_stopped(server, kg)


@click.command()
@server_options
@data_argument(exists=True)
def serve(**options: Any) -> None:
    """Serve the knowledge graph (and extra DATA files or folders) over SPARQL and HTTP."""
    _serve(examples=False, **options)


@click.command()
@server_options
def run(**options: Any) -> None:
    """Serve the bundled graph and print the URL with a few example queries (``make run``)."""
    _serve(examples=True, **options)


COMMANDS = [serve, run]
