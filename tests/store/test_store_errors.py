"""Store errors: in the one hierarchy, clear about a locked folder, and per-call time limits."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clusterkg.config import Settings
from clusterkg.errors import UnusableInput
from clusterkg.store import (
    BackendError,
    LoadError,
    QueryError,
    QueryRefused,
    QueryTimeout,
    open_backend,
)
from clusterkg.store.kg import open_kg


def test_store_errors_are_unusable_input_with_their_http_statuses():
    for cls, status in [
        (QueryError, 400),
        (QueryRefused, 400),
        (QueryTimeout, 503),
        (BackendError, 502),
    ]:
        exc = cls("x")
        assert isinstance(exc, UnusableInput)
        assert exc.exit_code == 2
        assert exc.http_status == status
        assert exc.status == status  # the name the web routes used before
    assert LoadError("f.ttl", "bad", 3).exit_code == 2
    with pytest.raises(UnusableInput, match="unknown store 'bogus:'"):
        open_backend("bogus:")


def test_a_store_folder_held_by_another_process_is_a_clear_error(tmp_path):
    folder = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from clusterkg.store.backends import open_backend; "
            f"b = open_backend({f'oxigraph:{folder}'!r}); print('open', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(BackendError) as caught:
            open_backend(f"oxigraph:{folder}")
        message = str(caught.value)
        assert f"the store {folder} is in use by another process" in message
        assert "clusterkg serve" in message and "LOCK" not in message
        with pytest.raises(BackendError, match="in use by another process"):
            open_kg(Settings(store=f"oxigraph:{folder}", load_bundled=False))
    finally:
        holder.communicate("")
    # Once the other process is gone the folder opens.
    open_backend(f"oxigraph:{folder}").close()


class _SlowSparql(BaseHTTPRequestHandler):
    """Answers every query after DELAY seconds with one row (?x = 1, ?n = 7)."""

    DELAY = 1.5

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.DELAY)
        body = json.dumps(
            {
                "head": {"vars": ["x", "n"]},
                "results": {
                    "bindings": [
                        {
                            "x": {"type": "literal", "value": "1"},
                            "n": {"type": "literal", "value": "7"},
                        }
                    ]
                },
            }
        ).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (its time limit): nothing to answer

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture()
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowSparql)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_a_remote_query_keeps_its_own_time_limit_beside_others(slow_server):
    kg = open_kg(Settings(store=f"sparql:{slow_server}", load_bundled=False, query_timeout=10))
    outcome: dict[str, object] = {}

    def run(name: str, timeout: float) -> None:
        try:
            outcome[name] = kg.query("SELECT ?x WHERE { ?x ?p ?o }", timeout=timeout).records()
        except QueryError as exc:
            outcome[name] = exc

    # A long projection (120 s) and a short query (0.5 s) at the same time.
    threads = [threading.Thread(target=run, args=a) for a in (("long", 120), ("short", 0.5))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcome["long"] == [{"x": "1", "n": "7"}]
    assert isinstance(outcome["short"], QueryTimeout)
    assert "0.5 s limit" in str(outcome["short"])
    # A short limit given to one call does not stay behind for the store's other calls, which
    # keep the backend's own wait (60 s): this count takes the server's 1.5 s and succeeds.
    with pytest.raises(QueryTimeout):
        kg.query("SELECT ?x WHERE { ?x ?p ?o }", timeout=0.5)
    assert kg.backend.count() == 7
    kg.close()
