"""Fair share of the query workers against a real ``clusterkg serve``, and on every route.

Clients are told apart by their source address: 127.0.0.1, .2 and .3 are all the loopback.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.web.conftest import make_app, start_serve

#: Each typed resource with each statement, three times: a cross join that runs for several
#: seconds (about 6 s on an idle machine), long enough to hold its worker while others ask.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f . VALUES ?k { 1 2 3 } }"
SLOW_FACTOR = 3
STATEMENTS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c }"
TYPINGS = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?f }"


def get(url: str, path: str, source: str, timeout: float = 60) -> tuple[int, dict, bytes, float]:
    """GET ``path`` from source address ``source``: status, headers, body, seconds taken."""
    parts = urlsplit(url)
    start = time.monotonic()
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=(source, 0)
    )
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, dict(resp.getheaders()), body, time.monotonic() - start
    finally:
        conn.close()


def sparql(query: str) -> str:
    return "/sparql?query=" + quote(query)


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def until(ask, status: int, running: list, within: float = 60) -> tuple[int, dict, bytes, float]:
    """Repeat ``ask`` until it answers ``status`` while every future in ``running`` still runs
    (a request answered before the workers are taken is no finding); fail if they end first."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answer = ask()
        if answer[0] == status:
            assert not any(f.done() for f in running), "the slow queries ended before the check"
            return answer
        assert answer[0] == 200, answer[2][:300]
        assert not any(f.done() for f in running), f"never answered {status} while they ran"
        time.sleep(0.1)
    raise AssertionError(f"no {status} within {within} s")


def test_one_client_gets_429_beyond_its_share_while_others_are_answered():
    proc, url = start_serve(
        [str(Path(sys.executable).with_name("clusterkg"))],
        *("--workers", "3", "--threads", "8", "--query-timeout", "60"),
        env={"CLUSTERKG_QUEUE_WAIT": "0.5"},  # share: one less than the workers, 2
    )
    try:
        expected = count(get(url, sparql(STATEMENTS), "127.0.0.1")[2]) * count(
            get(url, sparql(TYPINGS), "127.0.0.1")[2]
        )
        with ThreadPoolExecutor(4) as pool:
            hogs = [pool.submit(get, url, sparql(SLOW), "127.0.0.2") for _ in range(2)]
            # Both hogs hold a worker once this client's next request is refused; a loaded
            # machine may take a while to start them, so wait for that instead of a fixed time.
            status, headers, body, seconds = until(
                lambda: get(url, sparql("ASK {}"), "127.0.0.2"), 429, hogs
            )
            assert int(headers["Retry-After"]) >= 1
            assert b"127.0.0.2" in body and seconds < 5  # the 0.5 s wait, then the answer
            status, _, body, seconds = get(url, sparql("ASK {}"), "127.0.0.1")
            assert status == 200 and json.loads(body)["boolean"] is True and seconds < 5
            assert not any(h.done() for h in hogs)  # answered while the hogs still ran
            # The third worker taken by another client: a newcomer finds the server full.
            third = pool.submit(get, url, sparql(SLOW), "127.0.0.1")
            status, headers, body, seconds = until(
                lambda: get(url, sparql("ASK {}"), "127.0.0.3"), 503, [*hogs, third]
            )
            assert "Retry-After" in headers and seconds < 5, body
            for done in [*hogs, third]:
                status, _, body, _ = done.result()
                assert status == 200 and count(body) == SLOW_FACTOR * expected
        # Slots are given back: the client that was refused is served again.
        assert get(url, sparql("ASK {}"), "127.0.0.2")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)


#: Every route that may run a query, with a request that succeeds when a slot is free.
GUARDED = [
    ("GET", "/sparql?query=ASK%7B%7D"),
    ("GET", "/queries/compare-auto-clusters"),
    ("GET", "/id/cluster/chengdu-chongqing-auto"),
    ("GET", "/api/graph?view=overview"),
    ("GET", "/api/search?q=catl"),
    ("GET", "/api/centrality?top=3"),
    ("GET", "/api/resilience"),
    ("GET", "/api/indicators"),
    ("GET", "/api/graph/export?format=graphml"),
    ("POST", "/api/scenario"),
    ("GET", "/"),
    ("GET", "/clusters"),
]


@pytest.fixture(scope="module")
def busy_app():
    with make_app(workers=3, queue_wait=0.0) as app:
        yield app


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_every_query_route_takes_a_slot(busy_app, method, path):
    share = busy_app.extensions["clusterkg.fair_share"]
    hog = busy_app.test_client()
    hog.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    other = busy_app.test_client()
    body = (
        {"remove": ["group/dongfeng-sokon-sichuan-support-enterprises"]}
        if method == "POST"
        else None
    )
    for _ in range(share.per_client):
        share.acquire("10.0.0.9")  # as if two slow queries of this client were running
    try:
        refused = hog.open(path, method=method, json=body)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        answered = other.open(path, method=method, json=body)
        assert answered.status_code == 200, answered.get_data(as_text=True)[:300]
        share.acquire("10.0.0.8")  # the third and last worker, taken by a third client
        try:
            assert other.open(path, method=method, json=body).status_code == 503
        finally:
            share.release("10.0.0.8")
    finally:
        for _ in range(share.per_client):
            share.release("10.0.0.9")
    assert share.held("10.0.0.9") == 0 and share.held("127.0.0.1") == 0


def test_routes_that_run_no_query_take_no_slot(busy_app):
    share = busy_app.extensions["clusterkg.fair_share"]
    for _ in range(share.total):
        share.acquire(f"10.0.1.{_}")
    try:
        client = busy_app.test_client()
        assert client.get("/sparql/limits").status_code == 200
        assert client.get("/queries", headers={"Accept": "application/json"}).status_code == 200
        assert client.options("/sparql").status_code == 200
    finally:
        for _ in range(share.total):
            share.release(f"10.0.1.{_}")


def test_a_clients_burst_waits_with_at_most_its_share_the_rest_refused_at_once():
    """A few of a client's requests wait for a slot; the next one is refused without the
    queue wait (each waiting request holds a server thread)."""
    from clusterkg.web.errors import ApiError
    from clusterkg.web.limits import WAITING_PER_CLIENT, FairShare

    share = FairShare(total=3, per_client=1, wait=5.0, retry_after=1.0)
    share.acquire("a")  # its share, running
    with ThreadPoolExecutor(WAITING_PER_CLIENT) as pool:
        waiting = [pool.submit(share.acquire, "a") for _ in range(WAITING_PER_CLIENT)]
        time.sleep(0.3)
        start = time.monotonic()
        with pytest.raises(ApiError) as refused:
            share.acquire("a")
        assert refused.value.status == 429 and time.monotonic() - start < 1.0
        share.acquire("b")  # another client is not held back by a's waiting
        share.release("a")
        for done in as_completed(waiting, timeout=10):  # each waiting one takes the slot
            done.result()  # the one before gave back, within the 5 s wait
            share.release("a")
    assert share.held("a") == 0 and share.held("b") == 1


def test_a_burst_of_slow_queries_is_refused_promptly_with_the_default_threads():
    """Ten slow queries at once from one client on a server started with its defaults: its
    share runs, every other request is refused within the queue wait (2 s) and a little, and
    another client is answered meanwhile. With 4 threads for 4 workers the refusals came one
    queue wait after another (2, 4, 6, 8 s), three never came, and another client waited 10 s."""
    proc, url = start_serve(
        [str(Path(sys.executable).with_name("clusterkg"))],
        *("--workers", "4", "--query-timeout", "60"),
    )
    try:
        with ThreadPoolExecutor(11) as pool:
            burst = [pool.submit(get, url, sparql(SLOW), "127.0.0.2") for _ in range(10)]
            refused = []
            for done in as_completed(burst):
                status, headers, _, seconds = done.result()
                if status != 200:
                    refused.append((status, seconds, headers.get("Retry-After")))
                    if len(refused) == 10 - 3:
                        break
            others = [get(url, sparql("ASK {}"), "127.0.0.3") for _ in range(3)]
            assert not all(f.done() for f in burst), "the share's slow queries still run"
        assert len(refused) == 7, refused  # share: one less than the 4 workers
        assert all(s == 429 and r is not None and t < 2.0 + 2.5 for s, t, r in refused), refused
        assert all(o[0] == 200 and o[3] < 2.0 for o in others), [o[:1] + o[3:] for o in others]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
