"""Named-query parameters accept a label or alias where an IRI is expected, and the query
editor's data route (the graph's own vocabulary, download formats per result kind).

Names and IRIs were looked up by hand in graphs/*.ttl: "Changan Automobile" is the rdfs:label
of id/enterprise/changan-automobile; "China Automobile" is a name of both FAW Group (an alias)
and id/enterprise/china-automobile (its label).
"""

from __future__ import annotations

import pytest

JSON = {"Accept": "application/json"}
CHANGAN = "https://w3id.org/clusterkg/id/enterprise/changan-automobile"


def _suppliers(client, customer: str):
    return client.get(
        "/queries/enterprise-suppliers", query_string={"customer": customer}, headers=JSON
    )


@pytest.mark.parametrize(
    "name", ["Changan Automobile", "changan automobile", "  CHANGAN   Automobile "]
)
def test_a_label_stands_for_its_iri(web_client, name):
    by_name = _suppliers(web_client, name)
    by_iri = _suppliers(web_client, CHANGAN)
    assert by_name.status_code == 200, by_name.get_data(as_text=True)
    assert by_name.get_json() == by_iri.get_json()
    customers = {b["customer"]["value"] for b in by_name.get_json()["results"]["bindings"]}
    assert customers == {CHANGAN}


def test_an_alias_stands_for_its_iri(web_client):
    # skos:altLabel "Changan" of Changan Automobile (graphs/chengdu-chongqing-enterprises.ttl)
    resp = _suppliers(web_client, "Changan")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json() == _suppliers(web_client, CHANGAN).get_json()


def test_an_ambiguous_name_lists_the_candidates(web_client):
    resp = _suppliers(web_client, "China Automobile")
    assert resp.status_code == 400
    message = resp.get_json()["error"]
    assert "names 2 resources" in message
    assert "enterprise/faw-group" in message and "enterprise/china-automobile" in message


def test_an_unknown_name_gets_suggestions(web_client):
    resp = _suppliers(web_client, "Changn Automobile")  # a typo: difflib's close match
    assert resp.status_code == 400
    message = resp.get_json()["error"]
    assert "no resource is called 'Changn Automobile'; did you mean" in message
    assert "Changan Automobile (enterprise/changan-automobile)" in message


def test_iris_and_id_paths_are_not_looked_up(web_client):
    resp = _suppliers(web_client, "enterprise/changan-automobile")
    assert resp.get_json() == _suppliers(web_client, CHANGAN).get_json()


def test_the_editor_may_send_the_named_querys_own_text(web_client):
    from clusterkg.queries import load_queries

    text = load_queries(web_client.application.extensions["clusterkg"].settings.query_dirs)[
        "enterprise-suppliers"
    ].text
    resp = web_client.get(
        "/queries/enterprise-suppliers",
        query_string={"customer": CHANGAN, "query": text.replace("\n", "\r\n")},
        headers=JSON,
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    other = web_client.get(
        "/queries/enterprise-suppliers",
        query_string={"customer": CHANGAN, "query": "SELECT * WHERE { ?s ?p ?o }"},
        headers=JSON,
    )
    assert other.status_code == 400  # any other text is an unknown parameter, as before


def test_editor_data_has_the_graphs_own_vocabulary(web_client):
    data = web_client.get("/api/query-editor").get_json()
    assert data["prefixes"]["ck"] == "https://w3id.org/clusterkg/ontology#"
    # a class declared in ontology/clusterkg.ttl, and one only used (qb:Observation)
    assert "https://w3id.org/clusterkg/ontology#VehicleManufacturer" in data["classes"]
    assert "http://purl.org/linked-data/cube#Observation" in data["classes"]
    assert "https://w3id.org/clusterkg/ontology#memberOf" in data["properties"]
    assert "http://www.w3.org/2004/02/skos/core#altLabel" in data["properties"]
    assert "https://w3id.org/clusterkg/ontology#memberOf" not in data["classes"]


# A SELECT and a CONSTRUCT over the bundled graph, to download in each offered format.
SELECT = "SELECT ?c WHERE { ?c a <https://w3id.org/clusterkg/ontology#IndustrialCluster> } LIMIT 2"
CONSTRUCT = (
    "CONSTRUCT { ?c a <https://w3id.org/clusterkg/ontology#IndustrialCluster> } "
    "WHERE { ?c a <https://w3id.org/clusterkg/ontology#IndustrialCluster> } LIMIT 2"
)


def test_downloads_fit_the_result_kind(web_client):
    downloads = web_client.get("/api/query-editor").get_json()["downloads"]
    assert [d["format"] for d in downloads["select"]] == ["csv", "tsv", "json", "xml"]
    assert [d["format"] for d in downloads["graph"]] == ["turtle", "nt", "jsonld", "rdfxml"]
    # Turtle is not offered for SELECT, whose results it cannot carry (a 406).
    assert "turtle" not in {d["format"] for d in downloads["select"] + downloads["ask"]}
    for kind, query in (("select", SELECT), ("graph", CONSTRUCT)):
        for d in downloads[kind]:
            resp = web_client.get("/sparql", query_string={"query": query, "format": d["format"]})
            assert resp.status_code == 200, (kind, d, resp.get_data(as_text=True)[:200])
            assert resp.mimetype == d["media_type"]
    assert (
        web_client.get("/sparql", query_string={"query": SELECT, "format": "turtle"}).status_code
        == 406
    )
