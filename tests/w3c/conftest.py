"""The W3C SPARQL test data (../shared/w3c-sparql-tests or CLUSTERKG_W3C_TESTS) and one server.

The suites are data from w3c/rdf-tests (see their NOTICE.md). When they are absent the tests
skip with that reason, except under CI, where a missing suite is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.conftest import TOKEN, live, make_app


def suite_root() -> Path:
    env = os.environ.get("CLUSTERKG_W3C_TESTS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "w3c-sparql-tests"


@pytest.fixture(scope="session")
def w3c_root() -> Path:
    root = suite_root()
    if not (root / "sparql11" / "protocol" / "manifest.ttl").exists():
        reason = f"the W3C SPARQL test suites are not at {root} (set CLUSTERKG_W3C_TESTS)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return root


@pytest.fixture(scope="module")
def w3c_server(w3c_root):
    """One empty server with updates on; tests reset its store instead of restarting it."""
    with (
        make_app(
            load_bundled=False, update_token=TOKEN, row_limit=100_000, query_timeout=20.0
        ) as app,
        live(app) as url,
    ):
        yield app, url
