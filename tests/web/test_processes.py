"""``clusterkg serve --processes N``: several server processes on one port (web/prefork.py).

Against a real server on an ephemeral loopback port: a write through one process is seen by
every read afterwards, whichever process answers it; one client's fair share counts its
requests in every process; a store that cannot be shared is refused in words.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from click.testing import CliRunner

from clusterkg.cli import main as cli
from clusterkg.config import Settings
from clusterkg.errors import SettingsError
from clusterkg.web.errors import ApiError
from clusterkg.web.limits import FairShare, SharedCounts
from clusterkg.web.prefork import check_processes, per_process
from tests.web.conftest import start_serve

CLI = [str(Path(sys.executable).with_name("clusterkg"))]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f . VALUES ?k { 1 2 } }"


def request(url: str, method: str, path: str, body: str | None = None, headers=None):
    """One request on a fresh connection (so the kernel may hand it to any process)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def select(url: str, query: str) -> tuple[int, bytes]:
    status, _, body = request(
        url,
        "GET",
        "/sparql?query=" + quote(query),
        headers={"Accept": "text/tab-separated-values, application/sparql-results+json;q=0.5"},
    )
    return status, body


def server_processes(proc, expected: int) -> list[int]:
    """The server processes forked by the command's process (children of its pid), once
    ``expected`` of them are there (they fork right after the URL is printed)."""
    for _ in range(200):
        found = _children(proc.pid)
        if len(found) >= expected:
            return found
        time.sleep(0.05)
    return _children(proc.pid)


def _children(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                out.append(int(entry.name))
    return out


@pytest.fixture
def served_dir(tmp_path):
    proc, url = start_serve(
        CLI,
        *("--processes", "2", "--workers", "2", "--threads", "4"),
        *("--store", f"oxigraph:{tmp_path / 'db'}", "--update-token", "tok"),
    )
    try:
        yield proc, url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_write_through_one_process_is_read_through_all(served_dir):
    proc, url = served_dir
    assert len(server_processes(proc, 2)) == 2
    probe = "SELECT ?o WHERE { <http://example.org/a> <http://example.org/b> ?o }"
    for value in ("one", "two", "three"):
        update = (
            "DELETE WHERE { <http://example.org/a> <http://example.org/b> ?old } ; "
            f'INSERT DATA {{ <http://example.org/a> <http://example.org/b> "{value}" }}'
        )
        status, _, body = request(
            url,
            "POST",
            "/sparql",
            urlencode({"update": update}),
            {"Authorization": "Bearer tok", "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 200, body
        # Fresh connections, in parallel: they are spread over both processes.
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: select(url, probe), range(12)))
        for status, body in answers:
            assert status == 200, body
            assert body.decode().split("\n")[1] == f'"{value}"'


def test_a_write_that_fails_in_the_writer_changes_nothing(served_dir):
    """An update that passes its trial but fails where it is written (the graph exists
    already) is a 400 for the client, and no process sees a part of it."""
    _, url = served_dir
    form = {"Authorization": "Bearer tok", "Content-Type": "application/x-www-form-urlencoded"}
    ok = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
    assert request(url, "POST", "/sparql", urlencode({"update": ok}), form)[0] == 200
    bad = (
        "INSERT DATA { <http://example.org/partial> <http://example.org/p> 2 } ; "
        "CREATE GRAPH <http://example.org/g>"
    )
    status, _, body = request(url, "POST", "/sparql", urlencode({"update": bad}), form)
    assert status == 400 and b"nothing was changed" in body, body
    assert b"Traceback" not in body
    probe = "ASK { <http://example.org/partial> ?p ?o }"
    for _ in range(6):
        status, _, body = request(
            url,
            "GET",
            "/sparql?query=" + quote(probe),
            headers={"Accept": "application/sparql-results+json"},
        )
        assert status == 200 and json.loads(body)["boolean"] is False


def test_an_update_past_the_time_limit_through_another_process_writes_nothing(tmp_path):
    """With several processes the first one owns the folder and runs every update, by the
    same path as one process: under the time limit, in a process of its own, all or nothing
    (the two helpers' designs met here: it once ran there with no limit)."""
    proc, url = start_serve(
        CLI,
        *("--processes", "2", "--workers", "2", "--threads", "4", "--query-timeout", "3"),
        *("--store", f"oxigraph:{tmp_path / 'db'}", "--update-token", "tok"),
        env={"CLUSTERKG_CLIENT_CONCURRENCY": "4"},  # the one test client asks while it updates
    )
    form = {"Authorization": "Bearer tok", "Content-Type": "application/x-www-form-urlencoded"}
    first_then_slow = (
        "INSERT DATA { <http://x/first> <http://x/p> 1 } ; "
        "INSERT { <http://x/slow> <http://x/n> ?n } WHERE { SELECT (COUNT(*) AS ?n) "
        "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } }"
    )
    ok = "INSERT DATA { <http://x/later> <http://x/p> 2 }"

    def ask(query: str) -> bool:
        status, _, body = request(
            url, "GET", "/sparql?query=" + quote(query), headers={"Accept": "application/json"}
        )
        assert status == 200, body
        return json.loads(body)["boolean"]

    try:
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(
                request, url, "POST", "/sparql", urlencode({"update": first_then_slow}), form
            )
            assert ask("ASK { ?s ?p ?o }")  # readers are answered meanwhile
            status, _, body = slow.result()
        assert status == 503, body
        assert b"ran longer than the 3 s limit" in body and b"nothing was changed" in body
        assert body.count(b"nothing was changed") == 1
        for _ in range(4):  # fresh connections: both processes
            assert not ask("ASK { <http://x/first> ?p ?o }")
        assert request(url, "POST", "/sparql", urlencode({"update": ok}), form)[0] == 200
        for _ in range(4):
            assert ask("ASK { <http://x/later> ?p ?o }")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_limits_divided_among_processes():
    settings = Settings(processes=3, connection_limit=1000, client_connections=100)
    one = per_process(settings)
    assert one.connection_limit == 333 and one.client_connections == 33
    assert per_process(Settings(processes=4, client_connections=2)).client_connections == 1
    assert per_process(Settings()) == Settings()
    check_processes(Settings(processes=2, store="sparql:http://127.0.0.1:1/q", update_token="t"))
    check_processes(Settings(processes=2))  # read-only memory store
    with pytest.raises(SettingsError):
        check_processes(Settings(processes=2, update_token="t"))


def test_one_clients_share_counts_in_every_process(tmp_path):
    # Two processes of two workers; the client's share across both: 1 at a time.
    proc, url = start_serve(
        CLI,
        *("--processes", "2", "--workers", "2", "--threads", "4", "--query-timeout", "60"),
        env={"CLUSTERKG_QUEUE_WAIT": "0.3", "CLUSTERKG_CLIENT_CONCURRENCY": "1"},
    )
    try:
        with ThreadPoolExecutor(8) as pool:
            hog = pool.submit(select, url, SLOW)
            time.sleep(1.0)  # running now, in one of the processes
            refused = list(pool.map(lambda _: select(url, "ASK {}"), range(8)))
            assert not hog.done()
            assert all(status == 429 for status, _ in refused), refused
            status, body = hog.result()
            assert status == 200, body
        # Given back in every process: served again.
        assert select(url, "ASK {}")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_shared_counts_hold_across_forked_processes():
    """The table is shared memory: a slot taken in a forked process is counted here."""
    share = FairShare(2, 1, wait=0.2, retry_after=1, shared=SharedCounts())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the other server process: takes the client's one slot and keeps it
        share.acquire("198.51.100.7")
        os.write(write, b"x")
        time.sleep(3)
        share.release("198.51.100.7")
        os._exit(0)
    try:
        assert os.read(read, 1) == b"x"
        with pytest.raises(ApiError) as refused:
            share.acquire("198.51.100.7")
        assert refused.value.status == 429
        share.acquire("203.0.113.9")  # another client is served meanwhile
        share.release("203.0.113.9")
    finally:
        os.waitpid(pid, 0)
    share.acquire("198.51.100.7")  # given back in the other process
    share.release("198.51.100.7")
    assert share.held("198.51.100.7") == 0


def test_memory_store_with_updates_refuses_several_processes():
    result = CliRunner().invoke(
        cli, ["serve", "--port", "0", "--processes", "2", "--update-token", "x"]
    )
    assert result.exit_code == 2
    assert "memory store" in result.output and "oxigraph:DIR" in result.output
    assert "Traceback" not in result.output


def test_processes_setting_is_checked():
    result = CliRunner().invoke(cli, ["serve", "--port", "0"], env={"CLUSTERKG_PROCESSES": "0"})
    assert result.exit_code == 2 and "CLUSTERKG_PROCESSES" in result.output
