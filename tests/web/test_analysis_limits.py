"""The analytics a request can cause (scenarios, resilience, centrality, the first generation of
the synthetic network) against a live server: in a killable worker under the query time limit,
refused above the size cap, and done once for concurrent first requests.

Each test runs a real waitress server on a loopback port with real query workers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.web.conftest import live, make_app

#: The "other client" of these tests shares the test's loopback address (see
#: tests/web/test_worker_limits.py): one address may hold both workers here.
SAME_ADDRESS = 2
#: A firm of the curated supply network.
SOKON = "https://w3id.org/clusterkg/id/group/dongfeng-sokon-sichuan-support-enterprises"


def _ask(url: str) -> bool:
    resp = requests.get(
        f"{url}/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    return bool(resp.json()["boolean"])


def _resilience(url: str, graph: str) -> requests.Response:
    return requests.get(f"{url}/api/resilience", params={"graph": graph}, timeout=120)


def _selection(url: str, body: dict) -> requests.Response:
    return requests.post(f"{url}/api/scenario/selection", json=body, timeout=120)


def test_generating_the_synthetic_network_past_the_time_limit_is_stopped_and_others_answered():
    # Generating the synthetic network takes 5-7 s of CPU: well past a 3 s generation limit
    # (which leaves the other client's query room on a loaded machine).
    with (
        make_app(generate_timeout=3, client_concurrency=SAME_ADDRESS) as app,
        live(app) as url,
    ):
        engine = app.extensions["clusterkg"].engine
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(_resilience, url, "synthetic")
            # The generation runs in a worker: another client is answered meanwhile.
            assert _ask(url)
            assert not slow.done()
            resp = slow.result()
        assert resp.status_code == 503, resp.text
        assert "ran longer than the 3 s limit and was stopped" in resp.text
        assert "Traceback" not in resp.text
        assert engine.timeouts == 1
        # The server keeps serving, analyses included.
        assert _ask(url)
        curated = _resilience(url, "curated")
        assert curated.status_code == 200, curated.text
        assert curated.json()["synthetic"] is False


def test_an_analysis_past_the_time_limit_is_stopped_and_the_server_keeps_serving():
    # The synthetic network is generated first under its own limit (60 s by default), by a
    # cheap request (a selection's count: the full resilience report can take seconds on a
    # loaded machine), then 100 robustness trials on it (about 12 s of CPU) run past the
    # 4 s query limit.
    with make_app(query_timeout=4, client_concurrency=SAME_ADDRESS) as app, live(app) as url:
        engine = app.extensions["clusterkg"].engine
        first = _selection(url, {"kinds": ["BatteryMaker"], "graph": "synthetic"})
        assert first.status_code == 200, first.text
        assert engine.timeouts == 0
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(
                requests.get,
                f"{url}/api/resilience",
                params={"graph": "synthetic", "robustness": "1", "trials": "100"},
                timeout=120,
            )
            assert _ask(url)
            resp = slow.result()
        assert resp.status_code == 503, resp.text
        assert "ran longer than the 4 s limit" in resp.text
        assert "Traceback" not in resp.text
        assert engine.timeouts == 1
        ok = requests.post(f"{url}/api/scenario", json={"remove": [SOKON]}, timeout=120)
        assert ok.status_code == 200, ok.text
        assert ok.json()["removed"] == [SOKON]


def test_the_generation_reads_the_store_in_the_worker_not_the_server(monkeypatch):
    # A dump of the whole store is the generation's first step; the server process must not
    # pay it (at national scale it holds the server for seconds): the worker dumps its copy.
    with make_app(client_concurrency=SAME_ADDRESS) as app, live(app) as url:
        kg = app.extensions["clusterkg"]
        dumps = []
        real = kg.backend.dump
        monkeypatch.setattr(kg.backend, "dump", lambda *a, **k: dumps.append(a) or real(*a, **k))
        resp = _resilience(url, "synthetic")
        assert resp.status_code == 200, resp.text
        assert resp.json()["synthetic"] is True
        assert dumps == []


def test_a_network_above_the_analysis_cap_is_refused_with_422():
    # The curated supply network has 30 nodes and 21 edges.
    with make_app(analysis_max_nodes=29) as app, live(app) as url:
        for resp in (
            _resilience(url, "curated"),
            requests.get(f"{url}/api/centrality", timeout=60),
            requests.post(f"{url}/api/scenario", json={"remove": [SOKON]}, timeout=60),
        ):
            assert resp.status_code == 422, resp.text
            assert "has 30 nodes and 21 edges" in resp.text
            assert "at most 29 nodes and 200000 edges" in resp.text
            assert "CLUSTERKG_ANALYSIS_MAX_NODES" in resp.text
        # The generator's planned size is checked before it runs.
        resp = _resilience(url, "synthetic")
        assert resp.status_code == 422, resp.text
        assert "the synthetic network the generator would make has" in resp.text
        assert _ask(url)
    with make_app(analysis_max_nodes=30, analysis_max_edges=21) as app, live(app) as url:
        assert _resilience(url, "curated").status_code == 200  # at the cap it runs


def test_concurrent_first_requests_generate_the_synthetic_network_once():
    with make_app(workers=4, client_concurrency=4) as app, live(app) as url:
        engine = app.extensions["clusterkg"].engine
        body = {"kinds": ["BatteryMaker"], "graph": "synthetic"}
        view = {"view": "synthetic"}

        def ask(i: int) -> requests.Response:
            if i % 2:
                return requests.get(f"{url}/api/graph", params=view, timeout=120)
            return _selection(url, body)

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(ask, range(4)))
        assert {r.status_code for r in answers} == {200}, [r.text[:300] for r in answers]
        selections, views = answers[0::2], answers[1::2]
        assert len({r.content for r in selections}) == 1 and len({r.content for r in views}) == 1
        assert selections[0].json()["synthetic"] is True and selections[0].json()["count"] > 0
        assert views[0].json()["synthetic"] is True and views[0].json()["nodes"]
        # Worker calls: one generation for all four, two selections and one drawing (the
        # view is computed once too); a generation per request would make 7.
        assert engine.calls == 4


CHENGDU_CHONGQING = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"


def _by_hand_from_the_turtle(cluster: str) -> dict[str, int]:
    """The summary's counts for ``cluster`` worked out with plain rdflib SPARQL over the curated
    Turtle files, from the definitions in clusterkg.analytics.resilience (not its code): links
    whose customer is a member; where each supplier is (``ck:locatedIn/ck:partOf*`` a covered
    region: inside; another known region, or ``ck:locatedOutside``: outside; else unknown);
    one sourcing row per customer and item (the links without an item pooled as one), single
    sourced when it has one supplier; the members on links with their link partners."""
    import rdflib

    g = rdflib.Graph()
    for f in sorted((Path(__file__).resolve().parents[2] / "graphs").glob("*.ttl")):
        g.parse(f)
    pre = f"PREFIX ck: <https://w3id.org/clusterkg/ontology#>\nBASE <{cluster}>\n"

    def rows(q: str) -> list:
        return list(g.query(pre + q))

    out = {"unknown": 0, "inside": 0, "outside": 0}
    for where, n in rows(
        """SELECT ?where (COUNT(DISTINCT ?l) AS ?n) WHERE {
        ?l a ck:SupplyLink ; ck:supplier ?s ; ck:customer ?v . ?v ck:memberOf <> .
        BIND(IF(EXISTS { ?s ck:locatedIn/ck:partOf* ?r . <> ck:coversRegion ?r }, "inside",
             IF(EXISTS { ?s ck:locatedIn ?x } || EXISTS { ?s ck:locatedOutside ?y },
                "outside", "unknown")) AS ?where) } GROUP BY ?where"""
    ):
        out[str(where)] = int(n)
    ((n_rows, singles),) = rows(
        """SELECT (COUNT(*) AS ?rows) (SUM(?one) AS ?singles) WHERE {
        SELECT ?v ?item (IF(COUNT(DISTINCT ?s) = 1, 1, 0) AS ?one) WHERE {
        ?l a ck:SupplyLink ; ck:supplier ?s ; ck:customer ?v . ?v ck:memberOf <> .
        OPTIONAL { ?l ck:suppliedItem ?i } BIND(COALESCE(?i, "unspecified") AS ?item) } GROUP BY ?v ?item }"""
    )
    ((nodes,),) = rows(
        """SELECT (COUNT(DISTINCT ?n) AS ?nodes) WHERE {
        ?l a ck:SupplyLink ; ck:supplier|ck:customer ?m , ?n . ?m ck:memberOf <> }"""
    )
    out.update(sourcing_rows=int(n_rows), single_sourced=int(singles), nodes=int(nodes))
    out["inbound"] = out["inside"] + out["outside"] + out["unknown"]
    return out


def test_a_cluster_dashboards_resilience_runs_in_a_worker_with_the_analytics_answers():
    from clusterkg.analytics.resilience import robustness, self_sufficiency, sourcing
    from clusterkg.views import dashboards
    from clusterkg.views import explorer as gd

    with make_app() as app, live(app) as url:
        kg = app.extensions["clusterkg"]
        calls = kg.engine.calls
        page = requests.get(f"{url}/clusters/chengdu-chongqing-auto", timeout=120)
        assert page.status_code == 200 and "R-index" in page.text
        assert kg.engine.calls > calls  # the summary was computed through the worker
        summary = dashboards.resilience_summary(kg, CHENGDU_CHONGQING)
        # The reference: the analytics called directly on the curated supply network, in the
        # way the summary is defined (the cluster's customers; its members and neighbours).
        S = gd.curated_supply(kg)
        rows = [
            r
            for r in sourcing(S)
            if r["cluster"] == CHENGDU_CHONGQING
            or CHENGDU_CHONGQING in (S.nodes[r["customer"]].get("clusters") or [])
        ]
        part = {n for n, a in S.nodes(data=True) if CHENGDU_CHONGQING in (a.get("clusters") or [])}
        part |= {m for n in list(part) for m in [*S.predecessors(n), *S.successors(n)]}
        hand = _by_hand_from_the_turtle(CHENGDU_CHONGQING)
        assert summary["sourcing_rows"] == len(rows) == hand["sourcing_rows"] > 0
        singles = sum(r["single_sourced"] for r in rows)
        assert len(summary["single_sourced"]) == singles == hand["single_sourced"] > 0
        assert summary["network_nodes"] == len(part) == hand["nodes"]
        assert summary["r_index"] == robustness(S.subgraph(part).copy(), "degree").r_lcc
        own = next(r for r in self_sufficiency(S) if r["cluster"] == CHENGDU_CHONGQING)
        assert summary["self_sufficiency"] == own
        assert (own["inbound_links"], own["inside"], own["outside"], own["unknown"]) == (
            hand["inbound"],
            hand["inside"],
            hand["outside"],
            hand["unknown"],
        )


def test_a_cluster_dashboard_above_the_analysis_cap_still_shows_the_rest():
    with make_app(analysis_max_nodes=29) as app, live(app) as url:
        page = requests.get(f"{url}/clusters/chengdu-chongqing-auto", timeout=120)
        assert page.status_code == 200
        assert "Not computed for this page" in page.text
        assert "has 30 nodes and 21 edges" in page.text
        assert "CLUSTERKG_ANALYSIS_MAX_NODES" in page.text
        assert "Changan Automobile" in page.text  # members, indicators and the rest are there
        assert "Members by class" in page.text


def test_the_limits_page_states_the_analysis_and_explorer_bounds():
    with make_app(
        analysis_max_nodes=123, analysis_max_edges=456, generate_timeout=77, query_timeout=9
    ) as app:
        text = app.test_client().get("/sparql/limits").get_data(as_text=True)
    assert "stops a query after 9 s" in text
    assert "at most 123 nodes and 456 edges (422 above)" in text
    assert "synthetic network has 77 s" in text
    assert "the explorer lays out at most 2000 nodes and 5000 edges" in text
    assert "MB beyond its start (507 above)" in text
