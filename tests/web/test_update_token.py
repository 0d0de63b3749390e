"""The update token is compared whole: an empty bearer value, a prefix of the token, the token
with a suffix or in another case are refused (403), and nothing is written."""

from __future__ import annotations

import pytest

from tests.web.conftest import TOKEN

INSERT = "INSERT DATA { GRAPH <http://x/token-test> { <http://x/s> <http://x/p> 1 } }"
PROBE = "ASK { GRAPH <http://x/token-test> { ?s ?p ?o } }"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer ",
        "Bearer",
        "Bearer  ",
        f"Bearer {TOKEN[:1]}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN.upper()}",
        f"Bearer{TOKEN}",
    ],
)
def test_partial_or_empty_token_is_refused(web_client, authorization):
    resp = web_client.post(
        "/sparql", data={"update": INSERT}, headers={"Authorization": authorization}
    )
    assert resp.status_code in (401, 403), (authorization, resp.status_code)
    probe = web_client.get("/sparql", query_string={"query": PROBE}).get_json(force=True)
    assert probe["boolean"] is False


def test_the_whole_token_is_accepted(web_client):
    # The control: the same request with the whole token writes.
    resp = web_client.post(
        "/sparql", data={"update": INSERT}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert resp.status_code == 200
    assert web_client.get("/sparql", query_string={"query": PROBE}).get_json(force=True)["boolean"]
    web_client.post(
        "/sparql",
        data={"update": "DROP GRAPH <http://x/token-test>"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
