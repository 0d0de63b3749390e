"""Malformed JSON bodies on every ``/api/*`` POST route get a 400 naming what is wrong, and
``HEAD`` answers like ``GET`` on every GET route; both on a real server on a loopback port."""

from __future__ import annotations

import pytest
import requests
from flask import Flask

from tests.web.conftest import live, make_app

FIRM = "group/dongfeng-sokon-sichuan-support-enterprises"
DEEP = 100_000

#: (body bytes, Content-Type, words the 400's message must contain).
BAD_BODIES = [
    (b"", "application/json", ["not JSON"]),
    (b"{", "application/json", ["not JSON", "line 1 column 2"]),
    (b'{"remove": ["x"]}', "text/plain", ["application/json", "text/plain"]),
    (b'{"remove": ["x"]}', None, ["application/json"]),
    (b"\xff\xfe\x00{", "application/json", ["not JSON"]),
    (b"[]", "application/json", ["JSON object", "not a list"]),
    (b'"remove"', "application/json", ["JSON object", "not a string"]),
    (b"null", "application/json", ["JSON object", "not null"]),
    (b"[" * DEEP + b"]" * DEEP, "application/json", ["nested too deeply"]),
    (b'{"remove": ' + b"[" * DEEP + b"]" * DEEP + b"}", "application/json", ["nested"]),
    (b'{"remove": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}", "application/json", ["nested"]),
    (b'{"remove": {}}', "application/json", ["remove", "list", "not an object"]),
    (b'{"remove": "enterprise/catl"}', "application/json", ["remove", "not a string"]),
    (b'{"remove": [1]}', "application/json", ["remove[0]", "not a number"]),
    (b'{"remove": ["x", [["y"]]]}', "application/json", ["remove[1]", "not a list"]),
    (b'{"remove": ["x", null]}', "application/json", ["remove[1]", "not null"]),
    (b'{"regions": {}}', "application/json", ["remove_regions", "not an object"]),
    (b'{"keep_regions": 3}', "application/json", ["keep_regions", "not a number"]),
    (b'{"remove": [], "mode": {}}', "application/json", ["mode", "and, threshold"]),
    (b'{"remove": [], "mode": ["and"]}', "application/json", ["mode", '["and"]']),
    (b'{"remove": [], "mode": "or"}', "application/json", ["mode", '"or"']),
    (b'{"remove": [], "theta": "0.5"}', "application/json", ["theta", "not a string"]),
    (b'{"remove": [], "theta": true}', "application/json", ["theta", "not a boolean"]),
    (b'{"remove": [], "theta": NaN}', "application/json", ["theta", "(0, 1]"]),
    (b'{"remove": [], "theta": Infinity}', "application/json", ["theta", "(0, 1]"]),
    (b'{"remove": [], "theta": 0}', "application/json", ["theta", "(0, 1]"]),
    (b'{"remove": [], "theta": 1e999}', "application/json", ["theta", "(0, 1]"]),
    (b'{"remove": [], "graph": ["curated"]}', "application/json", ["graph", "not a list"]),
    (b'{"remove": [], "network": {}}', "application/json", ["graph", "not an object"]),
    (b'{"remove": [], "graph": "everything"}', "application/json", ["graph", "curated"]),
    (
        b'{"remove": [], "regions": [], "remove_regions": []}',
        "application/json",
        ["remove_regions once", "both regions and remove_regions"],
    ),
    (b'{"remove": [' + b"9" * 5000 + b"]}", "application/json", ["number too long"]),
    (b'{"remove": [], "undo": true}', "application/json", ["unknown field", "undo"]),
    (b'{"kinds": {}}', "application/json", ["kinds", "not an object"]),
    (b'{"clusters": [null]}', "application/json", ["clusters[0]", "not null"]),
]
#: Bodies only a route that runs the scenario refuses (the selection count accepts them).
RUN_ONLY = [(b'{"remove": []}', "application/json", ["something to remove"])]

RUN_ROUTES = ["/api/scenario", "/api/graph/scenario"]
POST_ROUTES = [*RUN_ROUTES, "/api/scenario/selection"]


@pytest.fixture(scope="module")
def app() -> Flask:
    with make_app() as application:
        yield application


@pytest.fixture(scope="module")
def url(app):
    with live(app) as base:
        yield base


def test_every_api_post_route_is_in_the_table(app):
    posts = sorted(
        str(rule)
        for rule in app.url_map.iter_rules()
        if str(rule).startswith("/api/") and "POST" in (rule.methods or ())
    )
    assert posts == sorted(POST_ROUTES)


CASES = [(r, *b) for r in POST_ROUTES for b in BAD_BODIES] + [
    (r, *b) for r in RUN_ROUTES for b in RUN_ONLY
]


@pytest.mark.parametrize(("route", "body", "mime", "words"), CASES, ids=range(len(CASES)))
def test_bad_bodies_get_400_naming_the_field(url, route, body, mime, words):
    headers = {"Accept": "application/json"}
    if mime:
        headers["Content-Type"] = mime
    resp = requests.post(url + route, data=body, headers=headers, timeout=60)
    assert resp.status_code == 400, resp.text[:300]
    message = resp.json()["error"]
    for word in words:
        assert word in message


def test_a_good_body_still_runs(url):
    resp = requests.post(f"{url}/api/scenario", json={"remove": [FIRM]}, timeout=60)
    assert resp.status_code == 200 and resp.json()["removed"]


def test_the_server_still_answers_after_the_bad_bodies(url):
    for body, mime, _ in BAD_BODIES:
        requests.post(f"{url}/api/scenario", data=body, headers={"Content-Type": mime or ""})
    assert requests.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=10).json()["boolean"]


def get_routes(app: Flask) -> list[str]:
    """A path for every GET route of ``app``, with sample values for its variables."""
    samples = {
        "rest": "cluster/chengdu-chongqing-auto",
        "name": "compare-auto-clusters",
        "slug": "chengdu-chongqing-auto",
        "filename": "explorer.js",
    }
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        path = str(rule)
        for arg in rule.arguments:
            path = path.replace(f"<path:{arg}>", samples[arg]).replace(f"<{arg}>", samples[arg])
        paths.append(path)
    return sorted(set(paths))


#: Query strings that make the bare GET routes do their real work.
QUERY = {
    "/sparql": "?query=ASK%7B%7D",
    "/sparql/": "?query=ASK%7B%7D",
    "/api/node": "?iri=https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto",
    "/api/graph/export": "?format=gexf",
    "/api/search": "?q=chong",
}
#: Headers that differ between any two answers. Content-Length too: some bodies differ in the
#: last digits from one computation to the next (igraph's ARPACK eigenvector centrality), so
#: HEAD is only asked to state a length whenever GET does.
PER_ANSWER = {"X-Request-Id", "Date", "Content-Length"}


def test_head_answers_like_get_on_every_get_route(app, url):
    paths = get_routes(app)
    assert len(paths) >= 20
    for path in paths:
        for target in {path, path + QUERY.get(path, "")}:
            got = requests.get(url + target, timeout=60, allow_redirects=False)
            head = requests.head(url + target, timeout=60, allow_redirects=False)
            assert head.status_code == got.status_code, target
            assert head.content == b"", target
            want = {k: v for k, v in got.headers.items() if k not in PER_ANSWER}
            have = {k: v for k, v in head.headers.items() if k not in PER_ANSWER}
            assert have == want, target
            assert ("Content-Length" in head.headers) == ("Content-Length" in got.headers)
