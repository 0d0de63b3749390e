"""/id/... linked-data pages."""

from __future__ import annotations

import html

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from clusterkg.vocab import CK, PROV

CLUSTER = URIRef("https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto")


def test_html_page_shows_label_types_properties_incoming_and_quotes(web_client, reference):
    resp = web_client.get(
        "/id/cluster/chengdu-chongqing-auto",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = html.unescape(resp.data.decode())
    label = next(o for o in reference.objects(CLUSTER, RDFS.label) if o.language == "en")
    assert f"<h1>{label}</h1>" in page
    assert "Industrial cluster" in page or "ck:IndustrialCluster" in page
    for quote in reference.objects(CLUSTER, CK.quote):
        assert str(quote) in page
    for source in reference.objects(CLUSTER, PROV.wasDerivedFrom):
        assert source.replace("https://w3id.org/clusterkg", "") in page
    incoming = {s for s in reference.subjects(None, CLUSTER) if isinstance(s, URIRef)}
    assert incoming
    for s in list(incoming)[:5]:
        assert (s.replace("https://w3id.org/clusterkg", "") in page) or (str(s) in page)


def test_rdf_by_accept_and_format(web_client, reference):
    expected = set(reference.triples((CLUSTER, None, None)))
    for kwargs, fmt in [
        ({"headers": {"Accept": "text/turtle"}}, "turtle"),
        ({"query_string": {"format": "jsonld"}}, "json-ld"),
        ({"headers": {"Accept": "application/n-triples"}}, "nt"),
    ]:
        resp = web_client.get("/id/cluster/chengdu-chongqing-auto", **kwargs)
        assert resp.status_code == 200
        assert set(Graph().parse(data=resp.data, format=fmt)) == expected


def test_trig_keeps_the_named_graph_of_each_statement(web_client, reference):
    from rdflib import Dataset

    resp = web_client.get(
        "/id/cluster/chengdu-chongqing-auto", headers={"Accept": "application/trig"}
    )
    got = Dataset().parse(data=resp.data, format="trig")

    def ident(g):
        return getattr(g, "identifier", g)

    quads = {(s, p, o, ident(g)) for s, p, o, g in got.quads((CLUSTER, None, None, None))}
    want = {(s, p, o, ident(g)) for s, p, o, g in reference.quads((CLUSTER, None, None, None))}
    assert quads == want


def test_unknown_resource_is_404(web_client):
    resp = web_client.get("/id/cluster/does-not-exist", headers={"Accept": "text/turtle"})
    assert resp.status_code == 404
    assert b"does-not-exist" in resp.data


def test_negotiation_without_accept_and_with_an_unsatisfiable_accept(web_client):
    path = "/id/cluster/chengdu-chongqing-auto"
    plain = web_client.get(path)  # no Accept header at all: the page for people
    assert plain.status_code == 200 and plain.mimetype == "text/html"
    assert plain.headers["Vary"] == "Accept"
    turtle = web_client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle" and turtle.headers["Vary"] == "Accept"
    refused = web_client.get(path, headers={"Accept": "application/pdf"})
    assert refused.status_code == 406
    body = refused.get_data(as_text=True)
    assert "text/turtle" in body and "application/ld+json" in body
