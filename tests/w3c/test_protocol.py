"""The 34 SPARQL 1.1 Protocol tests (sparql11/protocol/manifest.ttl) as HTTP exchanges.

Each test's requests are sent in order to a live server (updates enabled with the update token);
graph data the manifest names by a remote URL (kasei.us) is loaded locally under that graph name.
"""

from __future__ import annotations

import io

import requests
from rdflib import Graph
from rdflib.collection import Collection
from rdflib.query import Result

from tests.w3c.runner import CNT, HT, MF, RDFS_LABEL, UT, entries, path_of, reset_and_load
from tests.web.conftest import TOKEN

HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
BOOLEAN_TYPES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/csv": "csv", "text/tab-separated-values": "tsv"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def _check(resp: requests.Response, g: Graph, spec) -> str | None:
    """Why ``resp`` does not meet the expected response ``spec``, or ``None``."""
    classes = {str(s).removeprefix(HTS)[0] for s in g.objects(spec, MF.expectedStatus)}
    if str(resp.status_code)[0] not in classes:
        return f"status {resp.status_code}, expected {sorted(classes)}xx"
    fmt = g.value(spec, MF.expectedFormat)
    ctype = resp.headers.get("Content-Type", "").split(";")[0]
    if fmt is not None:
        table = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}[str(fmt)]
        if ctype not in table:
            return f"content type {ctype} is not a {fmt} format"
        if str(fmt) == "RDF":
            Graph().parse(data=resp.content, format=table[ctype])
        else:
            parsed = Result.parse(io.BytesIO(resp.content), format=table[ctype])
            expected = g.value(spec, MF.expectedBoolean)
            if expected is not None and parsed.askAnswer != expected.toPython():
                return f"boolean {parsed.askAnswer}, expected {expected}"
    return None


def test_protocol_manifest(w3c_root, w3c_server):
    app, url = w3c_server
    kg = app.extensions["clusterkg"]
    protocol = w3c_root / "sparql11" / "protocol"
    g, tests = entries(protocol / "manifest.ttl")
    failures = {}
    for test in tests:
        data = [
            (path_of(g.value(d, UT.graph)), str(g.value(d, RDFS_LABEL)))
            for d in g.objects(test, UT.graphData)
        ]
        reset_and_load(kg, data)
        action = g.value(test, MF.action)
        for req in Collection(g, g.value(action, HT.requests)):
            headers = {
                str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue))
                for h in Collection(g, g.value(req, HT.headers) or _nil(g))
            }
            headers["Authorization"] = f"Bearer {TOKEN}"
            body = g.value(req, HT.body)
            payload = None
            if body is not None:
                encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
                payload = str(g.value(body, CNT.chars)).encode(encoding)
            resp = requests.request(
                str(g.value(req, HT.methodName)),
                url + str(g.value(req, HT.absolutePath)),
                data=payload,
                headers=headers,
                timeout=30,
            )
            problem = _check(resp, g, g.value(req, HT.resp))
            if problem:
                failures[test.split("#")[-1]] = problem
                break
    print(f"\nW3C SPARQL 1.1 Protocol: {len(tests) - len(failures)}/{len(tests)} passed")
    assert len(tests) == 34
    assert failures == {}


def _nil(g: Graph):
    from rdflib.namespace import RDF

    return RDF.nil
