"""Markup in the data or in a request is shown as text, on the raw HTML (never unescaped first).

The store gets one resource whose label is a ``<script>`` element and whose ``rdfs:seeAlso`` is a
``javascript:`` IRI, a member of a real cluster with such a label, so that it appears in a
named query's result table and the cluster's dashboard, and a ``javascript:`` covered region. Each page must carry ``&lt;script&gt;`` where the data says
``<script>``, and no ``javascript:`` link.
"""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import TOKEN, make_app

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
HTML = {"Accept": "text/html"}
CC = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"
# The named graph serves the /id/ pages (GRAPH ?g); queries see the default graph, the merge
# the loader made, which an update into a named graph does not change: so both get the triples.
TRIPLES = f"""
  <https://w3id.org/clusterkg/id/test/hostile> rdfs:label "{SCRIPT}" ;
      rdfs:seeAlso <javascript:alert(2)> , <https://example.org/fine> .
  <https://w3id.org/clusterkg/id/test/member> a ck:Enterprise ; rdfs:label "{SCRIPT}" ;
      ck:memberOf <{CC}> .
  <{CC}> ck:coversRegion <javascript:alert(3)> .
"""
DATA = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ck: <https://w3id.org/clusterkg/ontology#>
INSERT DATA {{ {TRIPLES} GRAPH <https://w3id.org/clusterkg/graph/test-escaping> {{ {TRIPLES} }} }}
"""


@pytest.fixture(scope="module")
def client():
    with make_app(update_token=TOKEN) as app:
        c = app.test_client()
        resp = c.post(
            "/sparql", data={"update": DATA}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert resp.status_code == 200, resp.data
        yield c


def test_literal_on_an_id_page_is_escaped(client):
    resp = client.get("/id/test/hostile", headers=HTML)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert SCRIPT not in page
    # Title, heading and the property table each show the label as text.
    assert page.count(ESCAPED) == 3
    assert f"<h1>{ESCAPED}</h1>" in page


def test_javascript_iri_on_an_id_page_is_text_not_a_link(client):
    page = client.get("/id/test/hostile", headers=HTML).get_data(as_text=True)
    assert 'href="https://example.org/fine"' in page
    assert "javascript:alert(2)" in page  # shown ...
    assert not re.search(r"href=\"\s*javascript:", page, re.I)  # ... but not as a link


def test_result_cell_of_a_named_query_is_escaped(client):
    resp = client.get("/queries/cluster-members", query_string={"cluster": CC}, headers=HTML)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert f"<td>{ESCAPED}</td>" in page
    assert SCRIPT not in page


def test_reflected_parameter_is_escaped_in_the_form(client):
    # '&' is legal in an IRI; the form echoes the value, which must come back as '&amp;'.
    value = "https://w3id.org/clusterkg/id/cluster/x?a=1&b=2"
    resp = client.get("/queries/cluster-members", query_string={"cluster": value}, headers=HTML)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert 'value="https://w3id.org/clusterkg/id/cluster/x?a=1&amp;b=2"' in page


def test_reflected_parameter_is_escaped_in_an_error_page(client):
    resp = client.get(
        "/queries/cluster-members", query_string={"cluster": f'id/x">{SCRIPT}'}, headers=HTML
    )
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert SCRIPT not in page
    assert f"&#34;&gt;{ESCAPED}" in page


def test_unknown_query_name_is_escaped_in_the_404_page(client):
    resp = client.get("/queries/x" + SCRIPT.replace("/", ""), headers=HTML)
    assert resp.status_code == 404
    page = resp.get_data(as_text=True)
    assert "<script>alert(1)<script>" not in page
    assert "x&lt;script&gt;alert(1)&lt;script&gt;" in page


def test_javascript_region_iri_on_a_cluster_dashboard_is_text(client):
    resp = client.get("/clusters/chengdu-chongqing-auto", headers=HTML)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "<li>javascript:alert(3)" in page
    assert not re.search(r"href=\"\s*javascript:", page, re.I)
    # The member with the hostile label is listed, escaped.
    assert ESCAPED in page and SCRIPT not in page
