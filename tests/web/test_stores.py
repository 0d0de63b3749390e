"""--store oxigraph:DIR (persistent) and --store sparql:URL (a real Oxigraph server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
from rdflib import URIRef

from tests.web.conftest import TOKEN, live, make_app

INSERT = "INSERT DATA { GRAPH <http://x/persist> { <http://x/s> <http://x/p> 42 } }"
ASK = "ASK { GRAPH <http://x/persist> { <http://x/s> <http://x/p> 42 } }"
COUNT_CLUSTERS = (
    "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE "
    "{ ?c a <https://w3id.org/clusterkg/ontology#IndustrialCluster> }"
)


def _ask(client, query):
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 200, resp.data
    return resp.get_json()["boolean"]


FIRST_RUN = f"""
import sys
from tests.web.conftest import make_app
with make_app(store=sys.argv[1], update_token={TOKEN!r}) as app:
    client = app.test_client()
    ask = lambda: client.get("/sparql", query_string={{"query": {ASK!r}}}).get_json()["boolean"]
    assert not ask()
    resp = client.post("/sparql", data={{"update": {INSERT!r}}},
                       headers={{"Authorization": "Bearer {TOKEN}"}})
    assert resp.status_code == 200, resp.data
    assert ask()  # the workers see the write
print("written")
"""


def test_oxigraph_dir_survives_a_restart(tmp_path, reference):
    store = f"oxigraph:{tmp_path / 'store'}"
    # The first server is its own process, as a real restart is; it exits before the second.
    first = subprocess.run(
        [sys.executable, "-c", FIRST_RUN, store],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert first.stdout.strip() == "written", first.stderr
    with make_app(store=store) as app:
        client = app.test_client()
        assert _ask(client, ASK)
        n = client.get("/sparql", query_string={"query": COUNT_CLUSTERS}).get_json()
        want = len(
            set(
                reference.subjects(
                    URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    URIRef("https://w3id.org/clusterkg/ontology#IndustrialCluster"),
                )
            )
        )
        assert int(n["results"]["bindings"][0]["n"]["value"]) == want


def test_remote_sparql_store(oxigraph_server, reference):
    spec = f"sparql:{oxigraph_server}/query,{oxigraph_server}/update"
    with make_app(store=spec, update_token=TOKEN) as app, live(app) as url:
        # The bundled graphs were loaded into the remote server, graph by graph.
        remote_graphs = requests.get(
            f"{oxigraph_server}/query",
            params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        ).json()
        names = {b["g"]["value"] for b in remote_graphs["results"]["bindings"]}
        assert names == {str(c.identifier) for c in reference.contexts()} - {"urn:x-rdflib:default"}
        q = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/clusterkg/graph/regions> "
            "{ ?s ?p ?o } }"
        )
        resp = requests.get(f"{url}/sparql", params={"query": q}, timeout=10)
        n = int(resp.json()["results"]["bindings"][0]["n"]["value"])
        assert n == len(reference.graph("https://w3id.org/clusterkg/graph/regions"))
        page = requests.get(
            f"{url}/id/cluster/chengdu-chongqing-auto",
            headers={"Accept": "text/turtle"},
            timeout=10,
        )
        assert page.status_code == 200
        up = requests.post(
            f"{url}/sparql",
            data={"update": INSERT},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        assert up.status_code == 200
        check = requests.get(
            f"{oxigraph_server}/query",
            params={"query": ASK},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert check.json()["boolean"] is True
