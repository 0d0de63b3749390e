"""``clusterkg serve`` as a user runs it: a real process under waitress that prints its URL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from clusterkg.config import Settings
from tests.web.conftest import TOKEN, start_serve

INSERT = "INSERT DATA { GRAPH <http://x/cli> { <http://x/s> <http://x/p> 7 } }"
ASK = "ASK { GRAPH <http://x/cli> { <http://x/s> <http://x/p> 7 } }"


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    return start_serve([str(Path(sys.executable).with_name("clusterkg"))], *args)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=15)


def test_serve_prints_the_url_and_keeps_updates_across_restarts(tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    proc, url = _start("--store", store, "--update-token", TOKEN, "--threads", "2")
    try:
        assert (
            requests.get(f"{url}/sparql", params={"query": ASK}, timeout=10).json()["boolean"]
            is False
        )
        resp = requests.post(
            f"{url}/sparql",
            data={"update": INSERT},
            timeout=10,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert resp.status_code == 200
    finally:
        _stop(proc)
    proc, url = _start("--store", store)
    try:
        assert (
            requests.get(f"{url}/sparql", params={"query": ASK}, timeout=10).json()["boolean"]
            is True
        )
        refused = requests.post(
            f"{url}/sparql",
            data={"update": INSERT},
            timeout=10,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert refused.status_code == 403  # restarted without a token: read-only
    finally:
        _stop(proc)


def test_the_first_line_points_to_every_limit():
    """The banner names the query limits it has room for and links the page with all of them
    (the analysis caps, the explorer caps, the generation limit, the memory ceiling)."""
    import re

    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("clusterkg")), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"every limit: (http://127\.0\.0\.1:\d+/sparql/limits)\)$", line.strip())
        assert match, line
        page = requests.get(match.group(1), timeout=30)
        assert page.status_code == 200
        settings = Settings.from_env()
        assert f"at most {settings.analysis_max_nodes} nodes" in page.text
        assert "MB beyond its start" in page.text
    finally:
        _stop(proc)
