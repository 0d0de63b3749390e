"""Fixtures every area can use: the Flask ``app`` on the bundled graph, ``client``, ``runner``."""

from __future__ import annotations

import pytest

from clusterkg.web.app import create_app


@pytest.fixture(scope="session")
def app():
    """The web app over the bundled graph (read-only, default limits), opened once per run."""
    application = create_app({"TESTING": True})
    yield application
    application.extensions["clusterkg"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()
