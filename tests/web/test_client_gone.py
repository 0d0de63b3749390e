"""A real ``clusterkg serve``: the query of a client that closes its connection is stopped at
once, so the worker (and the client's share) frees for others (clusterkg.store.abandon).

Before, the one worker ran the abandoned query on to its time limit while every other request
waited in the queue and got 503: a browser leaving a slow page cost the next page its answers.
"""

from __future__ import annotations

import http.client
import socket
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from tests.web.conftest import start_serve

#: A cross join of every statement with every typing, nine times: tens of seconds of work.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f . VALUES ?k { 1 2 3 4 5 6 7 8 9 } }"


def _ask(host: str, port: int, source: str) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=30, source_address=(source, 0))
    try:
        conn.request(
            "GET", "/sparql?query=" + quote("ASK {}"), headers={"Accept": "application/json"}
        )
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def test_a_query_whose_client_left_frees_its_worker_for_others():
    proc, url = start_serve(
        [str(Path(sys.executable).with_name("clusterkg"))],
        *("--workers", "1", "--query-timeout", "120"),
        env={"CLUSTERKG_QUEUE_WAIT": "0.5"},
    )
    try:
        host, port = urlsplit(url).hostname, urlsplit(url).port
        assert _ask(host, port, "127.0.0.3") == 200  # the worker is up
        leaver = socket.create_connection((host, port), source_address=("127.0.0.2", 0))
        leaver.sendall(
            f"GET /sparql?query={quote(SLOW)} HTTP/1.1\r\nHost: x\r\n"
            "Accept: application/json\r\n\r\n".encode()
        )
        time.sleep(1.5)  # the slow query holds the one worker
        assert _ask(host, port, "127.0.0.3") == 503  # as it did before the client left
        leaver.close()
        # Answered again within a poll, a kill and a fork, not after the slow query's end.
        deadline = time.monotonic() + 10
        statuses = []
        while time.monotonic() < deadline:
            statuses.append(_ask(host, port, "127.0.0.3"))
            if statuses[-1] == 200:
                break
            time.sleep(0.2)
        assert statuses[-1] == 200, statuses
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    # The server says what it did, for the operator: 499, nginx's "client closed request".
    assert "499" in err and "closed its connection" in err, err[-2000:]
