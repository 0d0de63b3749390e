"""The HTML page of a named query (/queries/<name>): links for this site's IRIs with their
labels, readable headings, the form filled with the values used, numbers as the site writes
them (1,398), errors and empty results stated on the same page beside the form.

Expected values come from graphs/*.ttl read with rdflib (the ``reference`` fixture): Changan
Automobile's supply links and their suppliers' labels; the observations whose ck:value is 1398.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

CK = Namespace("https://w3id.org/clusterkg/ontology#")
ID = "https://w3id.org/clusterkg/id/"
CHANGAN = URIRef(ID + "enterprise/changan-automobile")
HTML = {"Accept": "text/html"}


def _page(client, name: str, **params):
    resp = client.get(f"/queries/{name}", query_string=params, headers=HTML)
    return resp, resp.get_data(as_text=True)


def _english(ds, node):
    labels = list(ds.objects(node, RDFS.label))
    for lab in labels:
        if isinstance(lab, Literal) and lab.language == "en":
            return str(lab)
    return str(min(labels, key=str)) if labels else None


def test_suppliers_link_to_their_pages_under_their_labels(web_client, reference):
    suppliers = {
        reference.value(link, CK.supplier)
        for link in reference.subjects(CK.customer, CHANGAN)
        if (link, RDF.type, CK.SupplyLink) in reference
    }
    assert suppliers
    resp, page = _page(web_client, "enterprise-suppliers", customer="Changan")
    assert resp.status_code == 200
    links = {
        unescape(h): unescape(t) for h, t in re.findall(r'<a href="([^"]+)">([^<]*)</a>', page)
    }
    for s in suppliers:
        path = "/id/" + str(s)[len(ID) :]
        assert links.get(path) == _english(reference, s), s
    # ?customer has no ?customerLabel column: its IRI is shown, linked to its page
    assert links.get("/id/enterprise/changan-automobile") == str(CHANGAN)
    headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page)
    assert "Supplier" in headings and "Annual value (CNY)" in headings
    assert "supplierLabel" not in headings and "annualValueCNY" not in headings
    # long quotes wrap; the table scrolls in its own box
    assert '<td class="long">' in page and '<div class="table-scroll">' in page


def test_the_form_shows_the_value_used(web_client):
    _, page = _page(web_client, "enterprise-suppliers", customer="Changan")
    assert '<input name="customer" value="Changan">' in page
    # no value given: the query's default (queries/enterprise-suppliers.rq), which ran
    resp, page = _page(web_client, "enterprise-suppliers")
    assert resp.status_code == 200
    assert '<input name="customer" value="id/enterprise/changan-automobile">' in page
    assert f'<a href="/id/enterprise/changan-automobile">{CHANGAN}</a>' in page


def test_a_number_with_thousands_separators_is_that_number(web_client, reference):
    facts = {f for f, v in reference.subject_objects(CK.value) if Decimal(str(v)) == 1398}
    assert facts
    resp, page = _page(web_client, "where-number-from", value="1,398")
    assert resp.status_code == 200, page
    for f in facts:
        assert f'href="/id/{str(f)[len(ID) :]}"' in page
    assert '<input name="value" value="1,398">' in page
    assert page == _page(web_client, "where-number-from", value="1398")[1].replace(
        'value="1398"', 'value="1,398"'
    )


def test_a_bad_value_is_stated_beside_the_form(web_client):
    resp, page = _page(web_client, "where-number-from", value="lots")
    assert resp.status_code == 400
    assert 'id="query-error"' in page and "must be a number" in page
    assert '<input name="value" value="lots">' in page  # the form, to correct it
    assert "<table" not in page


def test_a_number_that_matches_nothing_says_so(web_client, reference):
    assert not [v for v in reference.objects(None, CK.value) if Decimal(str(v)) == Decimal("95.9")]
    resp, page = _page(web_client, "where-number-from", value="95.9")
    assert resp.status_code == 200
    assert 'id="no-result"' in page
    assert "No figure equals 95.9." in page and "thousands separators are allowed" in page


def test_a_javascript_iri_in_a_result_is_never_a_link():
    from clusterkg.views.result_table import cell, link_for

    assert link_for("javascript:alert(1)") is None
    assert cell(URIRef("javascript:alert(1)"))["href"] is None
    assert cell(URIRef("https://example.org/x"))["href"] == "https://example.org/x"
    assert cell(URIRef(ID + "region/yibin"))["href"] == "/id/region/yibin"
