"""Content negotiation of negotiated routes: the default without Accept, 406 for an Accept that
nothing satisfies, and ``Vary: Accept`` on every negotiated answer (RFC 9110 12.5.5), so that a
shared cache never serves the HTML page to a client that asked for Turtle or the other way round.
"""

from __future__ import annotations

import pytest

CHANGAN = "/id/enterprise/changan-automobile"
ASK = "ASK { ?s ?p ?o }"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"


def vary(resp) -> set[str]:
    return {v.strip().lower() for v in resp.headers.get("Vary", "").split(",") if v.strip()}


def test_id_page_without_accept_is_html(client):
    resp = client.get(CHANGAN)  # the test client sends no Accept header unless told
    assert "Accept" not in resp.request.headers
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    assert "<h1>Changan Automobile</h1>" in resp.get_data(as_text=True)
    assert "accept" in vary(resp)


@pytest.mark.parametrize("accept", ["image/png", "application/x-nothing, text/x-nothing;q=0.5"])
def test_id_page_with_an_unsatisfiable_accept_is_406(client, accept):
    resp = client.get(CHANGAN, headers={"Accept": accept})
    assert resp.status_code == 406
    text = resp.get_data(as_text=True)
    # The answer names what is available.
    assert "text/turtle" in text and "text/html" in text


@pytest.mark.parametrize(
    ("path", "accept", "mimetype"),
    [
        (CHANGAN, "text/html", "text/html"),
        (CHANGAN, "text/turtle", "text/turtle"),
        (CHANGAN, "application/ld+json", "application/ld+json"),
        (
            "/sparql?query=" + ASK,
            "application/sparql-results+json",
            "application/sparql-results+json",
        ),
        ("/sparql?query=" + SELECT, "text/csv", "text/csv"),
        ("/sparql", "text/turtle", "text/turtle"),
        ("/sparql", "text/html", "text/html"),
        ("/queries/cluster-members", "text/html", "text/html"),
        (
            "/queries/cluster-members",
            "application/sparql-results+json",
            "application/sparql-results+json",
        ),
        ("/queries", "text/html", "text/html"),
        ("/queries", "application/json", "application/json"),
        ("/ontology", "text/turtle", "text/turtle"),
        ("/ontology", "text/html", "text/html"),
    ],
)
def test_negotiated_answers_vary_on_accept(client, path, accept, mimetype):
    resp = client.get(path, headers={"Accept": accept})
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == mimetype
    assert "accept" in vary(resp)


BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


def test_sparql_without_a_query_is_turtle_for_programs_and_the_form_for_browsers(live_url):
    """``curl $URL/sparql`` and ``requests.get`` send ``Accept: */*``: they got the HTML form,
    where docs/http-api.md promises the service description in Turtle."""
    import requests

    program = requests.get(f"{live_url}/sparql", timeout=30)
    assert program.request.headers["Accept"] == "*/*"  # requests' own default
    assert program.status_code == 200
    assert program.headers["Content-Type"].startswith("text/turtle")
    assert "sd:Service" in program.text
    assert "accept" in vary(program)
    browser = requests.get(f"{live_url}/sparql", headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert browser.headers["Content-Type"].startswith("text/html")
    assert "accept" in vary(browser)
    # Naming Turtle first wins a tie with HTML; a lower HTML quality loses.
    for accept in ("text/turtle, text/html", "text/html;q=0.5, application/n-triples"):
        resp = requests.get(f"{live_url}/sparql", headers={"Accept": accept}, timeout=30)
        assert not resp.headers["Content-Type"].startswith("text/html"), accept
