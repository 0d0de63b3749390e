"""Fixtures of the web tests: apps with given settings, live waitress servers, reference data."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from rdflib import Dataset
from waitress import create_server

from clusterkg.config import Settings
from clusterkg.store.graph_files import discover, graph_iri_for
from clusterkg.web.app import create_app

TOKEN = "test-token-6f1c"


def start_serve(
    cli: list[str], *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """``clusterkg serve --port 0 ARGS`` as a process (``cli`` runs clusterkg); its base URL,
    read from the line it prints first."""
    proc = subprocess.Popen(
        [*cli, "serve", "--port", "0", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", line)
    if not match:
        proc.kill()
        raise AssertionError(f"no URL printed: {line!r} {proc.stderr.read()[-2000:]}")
    return proc, match.group(1)


@contextmanager
def make_app(**overrides) -> Iterator[Flask]:
    """An app with ``overrides`` (Settings fields or ``workers``), closed afterwards."""
    app = create_app({"TESTING": True, "workers": 2, **overrides})
    try:
        yield app
    finally:
        app.extensions["clusterkg"].close()


@contextmanager
def guarded_live(app, threads: int = 1, settings: Settings | None = None) -> Iterator[Any]:
    """A WSGI ``app`` under clusterkg's guarded waitress server (web.connections) in this
    process, on an ephemeral loopback port; yields the server (``effective_port``,
    ``active_channels``)."""
    from clusterkg.web.connections import guarded_server

    server = guarded_server(app, settings or Settings(), host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()
        thread.join(timeout=5)


@contextmanager
def live(app: Flask, threads: int = 8) -> Iterator[str]:
    """A waitress server for ``app`` on an ephemeral loopback port; yields its base URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            # close() below shuts the sockets while the loop may be in select(): EBADF then is
            # the end of the test, not an error of the server under test.
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def web_app() -> Iterator[Flask]:
    """The bundled graph, updates allowed with :data:`TOKEN`, default limits."""
    with make_app(update_token=TOKEN) as app:
        yield app


@pytest.fixture()
def web_client(web_app):
    return web_app.test_client()


@pytest.fixture(scope="module")
def live_url(web_app) -> Iterator[str]:
    with live(web_app) as url:
        yield url


@pytest.fixture(scope="session")
def reference() -> Dataset:
    """The bundled files parsed by rdflib alone, one named graph per file: the expected data."""
    settings = Settings.from_env()
    ds = Dataset(default_union=True)
    taken: set[str] = set()
    for path in discover(settings.bundled_paths()):
        iri = graph_iri_for(Path(path), taken)
        taken.add(iri)
        ds.graph(iri).parse(path)
    return ds


@pytest.fixture()
def oxigraph_server(tmp_path):
    """``oxigraph serve`` on a free loopback port over an empty folder; yields its base URL."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        pytest.fail("the oxigraph server (PyPI package oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(tmp_path / "remote"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
