"""Derived values (the analytics supply network) follow the store's generation, not its size.

An update that deletes one triple and inserts another keeps the triple count; a cache keyed on
the count would go on serving the network from before the update.
"""

from __future__ import annotations

from tests.web.conftest import TOKEN, make_app

CK = "https://w3id.org/clusterkg/ontology#"


def _select(client, query: str) -> list[dict[str, str]]:
    r = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    return [{k: v["value"] for k, v in b.items()} for b in r.get_json()["results"]["bindings"]]


def _triples(client) -> int:
    rows = _select(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(rows[0]["n"])


def _centrality_nodes(client) -> set[str]:
    r = client.get("/api/centrality", query_string={"metric": "in_degree", "top": 10000})
    assert r.status_code == 200, r.get_data(as_text=True)
    return {row["node"] for row in r.get_json()["rows"]}


def test_update_that_keeps_the_triple_count_refreshes_the_supply_network():
    with make_app(update_token=TOKEN) as app:
        client = app.test_client()
        # A supply link with exactly one customer, and an enterprise outside every supply link.
        link = _select(
            client,
            f"""SELECT ?l (SAMPLE(?k) AS ?c) WHERE {{ ?l a <{CK}SupplyLink> ; <{CK}customer> ?k }}
            GROUP BY ?l HAVING (COUNT(?k) = 1) ORDER BY ?l LIMIT 1""",
        )[0]
        outsider = _select(
            client,
            f"""SELECT ?x WHERE {{ ?x a ?type
            FILTER(STRSTARTS(STR(?x), "https://w3id.org/clusterkg/id/enterprise/"))
            FILTER NOT EXISTS {{ ?k <{CK}supplier>|<{CK}customer> ?x }} }} ORDER BY ?x LIMIT 1""",
        )[0]["x"]
        before = _centrality_nodes(client)
        assert link["c"] in before and outsider not in before
        count = _triples(client)

        r = client.post(
            "/sparql",
            data={
                "update": f"""DELETE {{ GRAPH ?g {{ <{link["l"]}> <{CK}customer> <{link["c"]}> }} }}
                INSERT {{ GRAPH ?g {{ <{link["l"]}> <{CK}customer> <{outsider}> }} }}
                WHERE {{ GRAPH ?g {{ <{link["l"]}> <{CK}customer> <{link["c"]}> }} }}"""
            },
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code in (200, 204), r.get_data(as_text=True)
        assert _triples(client) == count  # the update kept the size of the store

        # The customer moved: the network now has the outsider as a customer.
        assert outsider in _centrality_nodes(client)
