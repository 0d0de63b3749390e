"""Query errors in a person's words at the right place, through the HTTP API (JSON with
``line``/``column``). Expected positions are counted by hand in the query texts below."""

from __future__ import annotations

import pytest

from clusterkg.views.query_errors import explain, undeclared_prefixes

JSON = {"Accept": "application/json"}

# FILTER(?x = ) is on line 4; its ")" (where the right operand is missing) is column 15.
FILTER_ON_LINE_4 = (
    "PREFIX ck: <https://w3id.org/clusterkg/ontology#>\n"
    "SELECT ?x WHERE {\n"
    "  ?x a ck:Enterprise .\n"
    "  FILTER(?x = )\n"
    "}\n"
)


def _error(client, query: str) -> dict:
    resp = client.post("/sparql", data={"query": query}, headers=JSON)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    return resp.get_json()


def test_filter_without_operand_is_reported_on_its_own_line(web_client):
    body = _error(web_client, FILTER_ON_LINE_4)
    assert (body["line"], body["column"]) == (4, 15)
    assert body["error"].startswith("syntax error: unexpected `)`")


def test_undeclared_prefix_is_named_and_placed(web_client):
    # "  ?s a x:Thing ." : x: starts at column 8 of line 2.
    body = _error(web_client, "SELECT ?s WHERE {\n  ?s a x:Thing .\n}")
    assert (body["line"], body["column"]) == (2, 8)
    assert body["error"].startswith("prefix `x:` is not declared")
    assert "\\u{" not in body["error"] and "Prefix not found" not in body["error"]


def test_a_project_prefix_gets_its_declaration(web_client):
    body = _error(web_client, "SELECT * WHERE { ?s a ck:Enterprise }")
    assert (body["line"], body["column"]) == (1, 23)
    assert "add `PREFIX ck: <https://w3id.org/clusterkg/ontology#>`" in body["error"]


def test_missing_object_is_reported_where_the_triple_ends(web_client):
    # "?s ?p" has no object: the parser meets "}" at line 3, column 1.
    body = _error(web_client, "SELECT * WHERE {\n  ?s ?p \n}")
    assert (body["line"], body["column"]) == (3, 1)
    assert "unexpected `}`" in body["error"]


def test_plain_text_error_names_the_place(web_client):
    resp = web_client.post(
        "/sparql", data={"query": FILTER_ON_LINE_4}, headers={"Accept": "text/plain"}
    )
    assert resp.status_code == 400
    assert "(line 4, column 15)" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # prefixes inside strings, IRIs and comments are not uses; declared ones are not missing
        ('PREFIX a: <x:y>\nSELECT * WHERE { ?s a:p "b:c" ; <d:e> ?o } # f:g', []),
        ("SELECT * WHERE { ?s ?p _:b0 . ?s :p ?o }", [("", 33)]),
        ("SELECT * WHERE { ?s rdfs:label ?l ; skos:altLabel ?a }", [("rdfs", 20), ("skos", 36)]),
    ],
)
def test_undeclared_prefixes_are_found_only_in_code(query, expected):
    assert undeclared_prefixes(query) == expected


def test_errors_that_are_not_syntax_are_left_alone():
    assert explain("SELECT * WHERE { ?s ?p ?o }", "the query ran past the 10 s limit") is None
