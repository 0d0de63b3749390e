"""The worker pool's limits against a live server: memory, result bytes, updates, explorer.

Each test runs a real waitress server on a loopback port with real query workers, sends the
request that crosses one limit, and checks that the client gets a clear error, that other
clients are answered meanwhile, and that no data is lost.
"""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.web.conftest import TOKEN, live, make_app

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

#: The "other client" of these tests shares the test's loopback address, so the fair share
#: (one less than the workers per address; tests/web/test_hostile_fair_share.py) must let one address
#: hold both workers here.
SAME_ADDRESS = 2


def _times_ten(expr: str, levels: int) -> str:
    """A SPARQL expression: the string ``expr`` with each character repeated 10**levels times."""
    for _ in range(levels):
        expr = f'REPLACE({expr}, ".", "$0$0$0$0$0$0$0$0$0$0")'
    return expr


def _replace_bomb(levels: int) -> str:
    """The issue's query: GROUP_CONCAT over a REPLACE that multiplies each string (x10 per
    level), so its memory grows with 10**levels times the size of the data's literals."""
    expr = _times_ten("STR(?o)", levels)
    return f"SELECT (STRLEN(GROUP_CONCAT({expr})) AS ?n) WHERE {{ ?s ?p ?o FILTER(isLiteral(?o)) }}"


def _json(url: str, query: str) -> requests.Response:
    return requests.get(
        f"{url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )


def _count(url: str) -> int:
    resp = _json(url, COUNT)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def test_a_query_past_the_memory_ceiling_is_stopped_and_the_server_keeps_serving():
    with (
        make_app(worker_memory_mb=64, query_timeout=60, client_concurrency=SAME_ADDRESS) as app,
        live(app) as url,
    ):
        before = _count(url)
        with ThreadPoolExecutor(2) as pool:
            heavy = pool.submit(_json, url, _replace_bomb(5))
            # Another client is answered while the runaway query holds a worker.
            ask = _json(url, "ASK { ?s ?p ?o }")
            assert ask.status_code == 200 and ask.json()["boolean"] is True
            assert not heavy.done()
            resp = heavy.result()
        assert resp.status_code == 507, resp.text
        assert "needed more than 64 MB" in resp.text
        assert "try again" not in resp.text.lower()
        # The worker that crossed the ceiling was replaced; the data is all there.
        assert _count(url) == before


# One literal of 10 ** 6 characters: far past the 100 kB ceiling below, one row only.
MILLION = _times_ten('"abcdefghij"', 5)
HUGE_ROW = f"SELECT ?big WHERE {{ BIND({MILLION} AS ?big) }}"
HUGE_TRIPLE = f"CONSTRUCT {{ <http://x/s> <http://x/p> ?big }} WHERE {{ BIND({MILLION} AS ?big) }}"
THOUSANDS = _times_ten('"abcdefghij"', 3)
# 40 rows of 10 ** 4 characters each (about 400 kB): only the first few fit in 100 kB.
MANY_ROWS = (
    "SELECT ?i ?text WHERE { VALUES ?i { "
    + " ".join(str(i) for i in range(40))
    + f" }} BIND(CONCAT(STR(?i), {THOUSANDS}) AS ?text) }} ORDER BY ?i"
)
CEILING = 100_000


def _get(url: str, query: str, accept: str) -> requests.Response:
    return requests.get(
        f"{url}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=60
    )


def _cut_by_bytes(resp: requests.Response) -> None:
    assert resp.status_code == 200, resp.text[:500]
    assert resp.headers["X-Clusterkg-Truncated"] == "true"
    assert resp.headers["X-Clusterkg-Byte-Limit"] == str(CEILING)
    assert len(resp.content) <= CEILING


def test_results_have_a_byte_ceiling_stated_like_the_row_limit():
    with make_app(result_max_bytes=CEILING) as app, live(app) as url:
        # A single huge literal passes the row limit (one row) but not the byte ceiling.
        for accept in ("application/sparql-results+json", "text/tab-separated-values"):
            resp = _get(url, HUGE_ROW, accept)
            _cut_by_bytes(resp)
            assert b"abcdefghij" not in resp.content
        resp = _get(url, HUGE_ROW, "application/sparql-results+json")
        assert resp.json()["results"]["bindings"] == []
        assert resp.json()["head"]["link"]  # the note that links to the limits
        # The same for a graph, written by Oxigraph (Turtle) or in Python (JSON-LD).
        for accept in ("text/turtle", "application/ld+json"):
            resp = _get(url, HUGE_TRIPLE, accept)
            _cut_by_bytes(resp)
            assert b"abcdefghij" not in resp.content
        # Many rows: what is kept is a prefix of the full answer, under the ceiling.
        resp = _get(url, MANY_ROWS, "application/sparql-results+json")
        _cut_by_bytes(resp)
        kept = [int(b["i"]["value"]) for b in resp.json()["results"]["bindings"]]
        # Each row holds 10 ** 4 characters, so 9 rows at most fit in 100 kB; at least one does.
        assert kept == list(range(len(kept))) and 1 <= len(kept) <= 9
        # Under the ceiling nothing is cut and the server answers as before.
        small = _get(
            url, "SELECT ?i WHERE { VALUES ?i { 1 2 } }", "application/sparql-results+json"
        )
        assert small.status_code == 200 and "X-Clusterkg-Truncated" not in small.headers
        assert len(small.json()["results"]["bindings"]) == 2


def _bomb(levels: int) -> str:
    """The hostile test's literal: "aa" with each "a" made ten, ``levels`` times (2 * 10 **
    levels characters, cheap for Oxigraph to build)."""
    expr = '"aa"'
    for _ in range(levels):
        expr = f'REPLACE({expr}, "a", "aaaaaaaaaa")'
    return expr


def _rows_then_bomb(rows: int, bomb: str, last: int | None = None) -> str:
    """Rows 1 to ``rows`` ordered, the ?big of row ``last`` (default: the last row) the bomb,
    the others small values that CSV quotes (a comma, doubled quotes, a line break)."""
    values = " ".join(str(i) for i in range(1, rows + 1))
    last = rows if last is None else last
    small = 'CONCAT("row, \\"", STR(?i), "\\"\\r\\nnext")'
    return (
        f"SELECT ?i ?big WHERE {{ VALUES ?i {{ {values} }} "
        f"BIND(IF(?i = {last}, {bomb}, {small}) AS ?big) }} ORDER BY ?i"
    )


#: 2 * 10 ** 7 characters in one value: past the 16 MB line Oxigraph's results parsers take,
#: so CSV written through a second format failed (a 503 or 507 instead of a cut result).
HUGE_LAST = _rows_then_bomb(3, _bomb(7))
SELECT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)


def test_every_select_format_cuts_a_huge_value_at_the_byte_ceiling():
    """The huge value's row is cut in every SELECT format alike, after the last whole row that
    fits; CSV keeps exactly the rows Oxigraph writes (raw SPARQL CSV, nothing neutralised)."""
    with make_app(result_max_bytes=CEILING) as app, live(app) as url:
        for accept in SELECT_TYPES:
            resp = _get(url, HUGE_LAST, accept)
            _cut_by_bytes(resp)
            assert resp.headers["X-Clusterkg-Row-Limit"] == "10000", accept
            assert resp.headers["Link"] == f'<{url}/sparql/limits>; rel="describedby"', accept
            assert b"aaaaaaaaaa" not in resp.content, accept
        csv_cut = _get(url, HUGE_LAST, "text/csv").content
        # The rows that fit, as Oxigraph writes them for the query without the huge row.
        whole = _get(url, _rows_then_bomb(2, bomb=_bomb(7), last=3), "text/csv")
        assert whole.status_code == 200 and "X-Clusterkg-Truncated" not in whole.headers
        assert csv_cut == whole.content
        rows = list(csv.reader(io.StringIO(csv_cut.decode(), newline="")))
        assert rows == [["i", "big"], ["1", 'row, "1"\r\nnext'], ["2", 'row, "2"\r\nnext']]


AUTH = {"Authorization": f"Bearer {TOKEN}"}
EARLIER = "INSERT DATA { GRAPH <http://x/g> { <http://x/earlier> <http://x/p> 1 } }"
HAS_EARLIER = "ASK { GRAPH <http://x/g> { <http://x/earlier> <http://x/p> 1 } }"
# 5,000 nested groups: the parser's recursion overflows its stack (it killed the server).
NESTED = "INSERT { <http://x/nested> <http://x/p> 1 } WHERE " + "{" * 5000 + "}" * 5000
# An update whose second operation fails after its first has run: the graph already exists.
HALFWAY = "INSERT DATA { <http://x/halfway> <http://x/p> 1 } ; CREATE GRAPH <http://x/exists>"


def _update(url: str, text: str) -> requests.Response:
    return requests.post(
        f"{url}/sparql",
        data=text.encode(),
        headers={**AUTH, "Content-Type": "application/sparql-update"},
        timeout=60,
    )


def _ask(url: str, query: str) -> bool:
    resp = _json(url, query)
    assert resp.status_code == 200, resp.text
    return bool(resp.json()["boolean"])


def _updates_are_isolated(url: str) -> None:
    assert _update(url, EARLIER).status_code == 200
    assert _update(url, "CREATE GRAPH <http://x/exists>").status_code == 200
    before = _count(url)
    with ThreadPoolExecutor(2) as pool:
        nested = pool.submit(_update, url, NESTED)
        assert _ask(url, "ASK { ?s ?p ?o }")  # others are answered meanwhile
        resp = nested.result()
    assert resp.status_code == 400, resp.text
    assert "crashed the SPARQL engine" in resp.text and "nothing was changed" in resp.text
    # The server is alive and every earlier update is still there.
    assert _ask(url, HAS_EARLIER)
    assert not _ask(url, "ASK { <http://x/nested> ?p ?o }")
    # A failure halfway through leaves no partial write.
    resp = _update(url, HALFWAY)
    assert resp.status_code == 400, resp.text
    assert "already exists" in resp.text
    assert not _ask(url, "ASK { <http://x/halfway> ?p ?o }")
    assert _count(url) == before
    # And the server still takes updates.
    assert _update(url, "INSERT DATA { <http://x/after> <http://x/p> 2 }").status_code == 200
    assert _ask(url, "ASK { <http://x/after> <http://x/p> 2 }") and _ask(url, HAS_EARLIER)


def test_updates_cannot_crash_the_memory_store_server_or_write_partially():
    with make_app(update_token=TOKEN, client_concurrency=SAME_ADDRESS) as app, live(app) as url:
        _updates_are_isolated(url)


def test_updates_cannot_crash_the_oxigraph_folder_server_or_write_partially(tmp_path):
    store = f"oxigraph:{tmp_path / 'store'}"
    with (
        make_app(update_token=TOKEN, store=store, client_concurrency=SAME_ADDRESS) as app,
        live(app) as url,
    ):
        _updates_are_isolated(url)


def test_an_update_past_the_time_limit_is_stopped_and_changes_nothing():
    slow = (
        "INSERT { <http://x/slow> <http://x/n> ?n } WHERE { SELECT (COUNT(*) AS ?n) "
        "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } }"
    )
    with (
        make_app(update_token=TOKEN, query_timeout=1, client_concurrency=SAME_ADDRESS) as app,
        live(app) as url,
    ):
        resp = _update(url, slow)
        assert resp.status_code == 503, resp.text
        assert "update ran longer than the 1 s limit" in resp.text
        assert "nothing was changed" in resp.text
        assert not _ask(url, "ASK { <http://x/slow> ?p ?o }")
        assert _update(url, EARLIER).status_code == 200 and _ask(url, HAS_EARLIER)


def test_an_update_on_an_oxigraph_folder_past_the_time_limit_writes_nothing(tmp_path):
    """The real run of an update on ``oxigraph:DIR`` has the time limit too (it runs in a
    process that owns the folder meanwhile): stopped, none of its operations written, and
    readers answered while it runs."""
    first_then_slow = (
        "INSERT DATA { <http://x/first> <http://x/p> 1 } ; "
        "INSERT { <http://x/slow> <http://x/n> ?n } WHERE { SELECT (COUNT(*) AS ?n) "
        "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } }"
    )
    store = f"oxigraph:{tmp_path / 'store'}"
    with (
        make_app(
            update_token=TOKEN, store=store, query_timeout=3, client_concurrency=SAME_ADDRESS
        ) as app,
        live(app) as url,
    ):
        engine = app.extensions["clusterkg"].engine
        before = _count(url)  # also starts a query worker, which answers during the update
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(_update, url, first_then_slow)
            # Readers are answered while the update runs (from the data before it).
            assert _ask(url, "ASK { ?s ?p ?o }")
            assert not _ask(url, "ASK { <http://x/first> ?p ?o }")
            assert not slow.done()
            resp = slow.result()
        assert resp.status_code == 503, resp.text
        assert "update ran longer than the 3 s limit" in resp.text
        assert "nothing was changed" in resp.text
        assert engine.timeouts == 1
        # Neither operation was written, and the store still takes updates.
        assert not _ask(url, "ASK { <http://x/first> ?p ?o }")
        assert not _ask(url, "ASK { <http://x/slow> ?p ?o }")
        assert _count(url) == before
        assert _update(url, EARLIER).status_code == 200 and _ask(url, HAS_EARLIER)
    # What was written is in the folder itself, read by Oxigraph alone after the server closed.
    import pyoxigraph as ox

    folder = ox.Store.read_only(str(tmp_path / "store"))
    assert folder.query(HAS_EARLIER.replace("ASK", "ASK", 1))
    assert not folder.query("ASK { <http://x/first> ?p ?o }")


def _ladder(nodes: int) -> str:
    """A CONSTRUCT of a graph on about ``nodes`` nodes where node i links to i+1, i+2, i+3:
    long shortest paths, so betweenness (O(nodes * edges)) takes seconds."""
    values = " ".join(str(i) for i in range(nodes))
    return (
        "CONSTRUCT { ?a <http://x/linksTo> ?b } WHERE { "
        f"VALUES ?i {{ {values} }} VALUES ?k {{ 1 2 3 }} "
        'BIND(IRI(CONCAT("http://x/n", STR(?i))) AS ?a) '
        'BIND(IRI(CONCAT("http://x/n", STR(?i + ?k))) AS ?b) }'
    )


def _view(url: str, query: str) -> requests.Response:
    return requests.get(f"{url}/api/graph", params={"view": "query", "query": query}, timeout=60)


def test_a_query_view_above_the_size_cap_is_refused():
    with make_app(explorer_max_nodes=100, explorer_max_edges=1000) as app, live(app) as url:
        # 101 + 3 nodes and 3 * 101 edges: over the node cap, under the edge cap.
        resp = _view(url, _ladder(101))
        assert resp.status_code == 422, resp.text
        assert "104 nodes and 303 edges" in resp.text
        assert "at most 100 nodes and 1000 edges" in resp.text
        # At the cap it is drawn: 97 + 3 nodes.
        resp = _view(url, _ladder(97))
        assert resp.status_code == 200, resp.text
        assert len(resp.json()["nodes"]) == 100 and len(resp.json()["edges"]) == 291


def test_a_query_view_of_a_cut_result_says_it_is_the_first_triples():
    """The row limit cuts the CONSTRUCT's 303 triples at 150: the refusal says the counts are
    of the first triples only (it said "has 334 nodes and 10000 edges" of a 90,000-triple
    result), and a drawn view's title says it shows part of the result."""
    with make_app(row_limit=150, explorer_max_nodes=30, explorer_max_edges=1000) as app:
        with live(app) as url:
            resp = _view(url, _ladder(101))
            assert resp.status_code == 422, resp.text
            assert "at least" in resp.text and "in the first 150 triples" in resp.text
    with make_app(row_limit=150) as app, live(app) as url:
        resp = _view(url, _ladder(101))
        assert resp.status_code == 200, resp.text
        assert len(resp.json()["edges"]) == 150
        assert "its first 150 triples: the result has more" in resp.json()["title"]
        whole = _view(url, _ladder(40))  # 120 triples: under the limit, no remark
        assert whole.json()["title"] == "Result of a CONSTRUCT query"


def test_a_query_view_runs_in_a_worker_under_the_time_limit():
    with make_app(query_timeout=1, client_concurrency=SAME_ADDRESS) as app, live(app) as url:
        engine = app.extensions["clusterkg"].engine
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(_view, url, _ladder(1600))
            # The layout runs in a worker: the server answers others meanwhile.
            assert _ask(url, "ASK { ?s ?p ?o }")
            assert not slow.done()
            resp = slow.result()
        assert resp.status_code == 503, resp.text
        assert "ran longer than the 1 s limit" in resp.text
        assert engine.calls == 1 and engine.timeouts == 1
        assert _ask(url, "ASK { ?s ?p ?o }")


def test_concurrent_first_requests_for_a_view_compute_it_once():
    with make_app() as app, live(app) as url:
        engine = app.extensions["clusterkg"].engine
        query = _ladder(30)
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: _view(url, query), range(4)))
        assert {r.status_code for r in answers} == {200}
        assert len({r.content for r in answers}) == 1
        # 33 nodes, 90 edges: the view of the query's graph, drawn by one worker call.
        assert len(answers[0].json()["nodes"]) == 33 and len(answers[0].json()["edges"]) == 90
        assert engine.calls == 1


def test_a_query_that_crashes_the_engine_gets_a_clear_400_and_the_server_keeps_serving():
    with make_app() as app, live(app) as url:
        resp = _json(url, "ASK " + "{" * 5000 + "}" * 5000)
        assert resp.status_code == 400, resp.text
        assert "crashed the SPARQL engine (SIGSEGV" in resp.text
        assert "try again" not in resp.text.lower()
        assert _ask(url, "ASK { ?s ?p ?o }")
