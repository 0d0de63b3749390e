"""Safe to expose: read-only without the token, no SERVICE/FROM/LOAD I/O, time and row limits."""

from __future__ import annotations

import http.server
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.web.conftest import TOKEN, live, make_app

INSERT = "INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> 1 } }"
# A cross product over the data that Oxigraph cannot finish within a few seconds.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def ask(client, query: str) -> bool:
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 200, resp.data
    return resp.get_json(force=True)["boolean"]


def test_updates_need_the_token(web_client):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        resp = web_client.post("/sparql", data={"update": INSERT}, headers=headers)
        assert resp.status_code == 403
    assert not ask(web_client, "ASK { <http://x/s> ?p ?o }")
    resp = web_client.post(
        "/sparql",
        data=INSERT,
        content_type="application/sparql-update",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert resp.status_code == 200
    assert ask(web_client, "ASK { GRAPH <http://x/g> { <http://x/s> <http://x/p> 1 } }")
    resp = web_client.post(
        "/sparql",
        data={"update": "DROP GRAPH <http://x/g>"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert resp.status_code == 200
    assert not ask(web_client, "ASK { <http://x/s> ?p ?o }")


def test_read_only_server_refuses_updates_even_with_a_token():
    with make_app() as app:
        resp = app.test_client().post(
            "/sparql", data={"update": INSERT}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert resp.status_code == 403
        assert b"updates are disabled" in resp.data


@pytest.fixture()
def listener(tmp_path):
    """A local HTTP server that records every request it gets, and a temp RDF file."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = b"<http://evil/s> <http://evil/p> <http://evil/o> ."
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    data = tmp_path / "secret.nt"
    data.write_text("<http://file/s> <http://file/p> <http://file/o> .\n")
    yield f"http://127.0.0.1:{server.server_address[1]}/data.nt", data.as_uri(), hits
    server.shutdown()


def test_no_query_reaches_the_network_or_the_disk(web_client, listener):
    url, file_uri, hits = listener
    auth = {"Authorization": f"Bearer {TOKEN}"}
    queries = [
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{file_uri}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{file_uri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{file_uri}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {{ ?s ?p ?o }}",
    ]
    statuses = []
    for q in queries:
        resp = web_client.get("/sparql", query_string={"query": q})
        statuses.append(resp.status_code)
        if resp.status_code == 200:
            assert b"evil" not in resp.data and b"http://file/" not in resp.data
    assert statuses[4:7] == [400, 400, 400]  # SERVICE is refused outright
    for update in (
        f"LOAD <{url}>",
        f"LOAD SILENT <{url}> INTO GRAPH <http://x/l>",
        f"LOAD <{file_uri}>",
    ):
        resp = web_client.post("/sparql", data={"update": update}, headers=auth)
        assert resp.status_code == 400
        assert b"LOAD is refused" in resp.data
    assert not ask(web_client, "ASK { ?s <http://evil/p> ?o }")
    assert not ask(web_client, "ASK { ?s <http://file/p> ?o }")
    assert hits == []


def test_codepoint_escaped_keywords_are_refused_too(web_client, listener):
    """SPARQL 1.1 (section 19.2) has servers replace \\u escapes before parsing, so a remote
    store behind ``sparql:`` would read \\u0053ERVICE as SERVICE: the guard reads it so too."""
    url, _, hits = listener
    for q in (
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\U00000053\\u0045RVICE <{url}> {{ ?s ?p ?o }} }}",
    ):
        resp = web_client.get("/sparql", query_string={"query": q})
        assert resp.status_code == 400, q
        assert f"SERVICE {url} is refused".encode() in resp.data
    auth = {"Authorization": f"Bearer {TOKEN}"}
    resp = web_client.post("/sparql", data={"update": f"\\u004cOAD <{url}>"}, headers=auth)
    assert resp.status_code == 400 and b"LOAD is refused" in resp.data
    assert hits == []


def test_a_service_whose_endpoint_cannot_be_read_is_refused_in_words(web_client):
    resp = web_client.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://x"})
    assert resp.status_code == 400
    assert b"SERVICE is refused: federated queries are off" in resp.data
    assert b"SERVICE ?" not in resp.data  # the placeholder of an unreadable endpoint


def test_allow_listed_service_is_not_refused(listener):
    url, _, hits = listener
    with make_app(service_allowlist=("http://allowed.example/sparql",)) as app:
        client = app.test_client()
        other = client.get(
            "/sparql",
            query_string={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
        )
        assert other.status_code == 400
        assert b"allowed: http://allowed.example/sparql" in other.data
    assert hits == []


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_time_limit_stops_the_query_and_serves_others():
    with make_app(query_timeout=2.0, workers=3) as app, live(app) as url:
        engine = app.extensions["clusterkg"].engine
        with ThreadPoolExecutor(2) as pool:
            start = time.monotonic()
            slow = pool.submit(requests.get, f"{url}/sparql", params={"query": RUNAWAY}, timeout=30)
            time.sleep(0.5)
            busy = [p for p in engine.worker_pids()]
            # Another client is answered while the runaway query runs.
            quick = requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=10)
            assert quick.status_code == 200 and not slow.done()
            resp = slow.result()
            elapsed = time.monotonic() - start
        assert resp.status_code == 503
        assert "2 s limit" in resp.text
        # The limit is enforced, not the query's natural end (which takes minutes).
        assert elapsed < 2.0 + 10.0  # the limit and a restart on a loaded machine
        assert engine.timeouts == 1
        # The worker that ran it is gone: it uses no CPU any more.
        gone = [p for p in busy if p not in engine.worker_pids()]
        assert len(gone) == 1 and not os.path.exists(f"/proc/{gone[0]}")
        alive = engine.worker_pids()
        cpu = {p: _cpu_seconds(p) for p in alive}
        time.sleep(0.5)
        assert all(_cpu_seconds(p) - cpu[p] < 0.2 for p in alive)
        after = requests.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert after.status_code == 200 and after.json()["boolean"] is True
