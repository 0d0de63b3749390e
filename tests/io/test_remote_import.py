"""``clusterkg import --store sparql:...`` into a running ``clusterkg serve --update-token``.

A real server process on an ephemeral loopback port, a real import process, and reader
threads querying the server throughout: every answer is the count before the import or the
count after it, never one in between, and the server keeps answering while the import runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.web.conftest import start_serve

CLI = [sys.executable, "-c", "from clusterkg.cli import main; main()"]
TOKEN = "import-test-token-4711"
ROWS = 400  # a few thousand take minutes: each row costs ~3 HTTP lookups (see docs)
COUNT = (
    "SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://w3id.org/clusterkg/ontology#Enterprise> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
)


@pytest.fixture()
def server(env, tmp_path):
    """``clusterkg serve --port 0 --update-token TOKEN`` over the io fixture graph."""
    proc, url = start_serve(
        CLI,
        "--update-token",
        TOKEN,
        "--threads",
        "4",
        env={**env, "CLUSTERKG_MAX_BODY_BYTES": str(50_000_000)},
    )
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _count(url: str) -> int:
    resp = requests.post(
        f"{url}/sparql",
        data={"query": COUNT},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    resp.raise_for_status()
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def _csv(path: Path, n: int) -> Path:
    rows = "".join(f"Example Firm {i:05d},Chengdu,cluster/cc-auto\n" for i in range(n))
    path.write_text("name_en,region,cluster\n" + rows, encoding="utf-8")
    return path


def _import(args, env, **extra_env):
    return subprocess.run(
        [*CLI, "import", *args],
        env={**os.environ, **env, **extra_env},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_readers_see_the_old_or_the_new_count_while_an_import_writes(server, env, tmp_path):
    before = _count(server)
    assert before == 0  # the fixture's enterprises are all typed by subclasses (ck:BatteryMaker)
    rows = _csv(tmp_path / "firms.csv", ROWS)
    seen: list[tuple[float, int]] = []
    failures: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append((time.monotonic(), _count(server)))
            except requests.RequestException as exc:  # the server must keep answering
                failures.append(str(exc))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    start = time.monotonic()
    try:
        res = _import(
            [
                str(rows),
                "--kind",
                "enterprises",
                "--store",
                f"sparql:{server}/sparql,{server}/sparql",
            ],
            env,
            CLUSTERKG_REMOTE_TOKEN=TOKEN,
        )
        end = time.monotonic()
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert res.returncode == 0, res.stderr
    assert TOKEN not in res.stdout + res.stderr
    assert failures == []
    during = [n for at, n in seen if start <= at <= end]
    assert len(during) >= 10  # answered all along the import, not only before or after it
    assert {n for _at, n in seen} <= {before, before + ROWS}
    assert _count(server) == before + ROWS
    assert seen[-1][1] == before + ROWS


def test_an_import_without_the_token_is_refused_and_writes_nothing(server, env, tmp_path):
    rows = _csv(tmp_path / "firms.csv", 3)
    store = f"sparql:{server}/sparql,{server}/sparql"
    res = _import(
        [str(rows), "--kind", "enterprises", "--store", store],
        env,
        CLUSTERKG_REMOTE_TOKEN="",
    )
    assert res.returncode == 1
    assert "403" in res.stderr and "update token" in res.stderr
    assert "Traceback" not in res.stderr
    assert _count(server) == 0
    wrong = _import(
        [str(rows), "--kind", "enterprises", "--store", store, "--token", "not-the-token"],
        env,
    )
    assert wrong.returncode == 1 and "not-the-token" not in wrong.stderr + wrong.stdout
    assert _count(server) == 0
    right = _import([str(rows), "--kind", "enterprises", "--store", store, "--token", TOKEN], env)
    assert right.returncode == 0, right.stderr
    assert TOKEN not in right.stdout + right.stderr
    assert _count(server) == 3
