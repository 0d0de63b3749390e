"""SPARQL results and RDF graphs written as bytes, in the formats of the SPARQL Protocol.

SELECT/ASK results: SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/),
XML (https://www.w3.org/TR/rdf-sparql-XMLres/), CSV and TSV
(https://www.w3.org/TR/sparql11-results-csv-tsv/). Graph results: the RDF 1.1 syntaxes rdflib
writes (Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG). Which format a client gets is
content negotiation, done in :mod:`clusterkg.web.formats`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier, Node

from clusterkg.store.native import SerializedResult
from clusterkg.store.results import QueryResult
from clusterkg.store.terms import XSD_STRING
from clusterkg.vocab import PREFIXES

#: media type -> format name, in order of preference when the client accepts anything.
SELECT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
ASK_TYPES: dict[str, str] = {k: v for k, v in SELECT_TYPES.items() if v in ("json", "xml")}
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/x-turtle": "turtle",
    "text/plain": "nt",
}
#: ``format=`` values and the media type each stands for.
FORMAT_ALIASES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "trig": "application/trig",
}


def offered_types(kind: str) -> dict[str, str]:
    """The media types a result of ``kind`` (select, ask, graph) can be sent in."""
    return {"select": SELECT_TYPES, "ask": ASK_TYPES, "graph": GRAPH_TYPES}[kind]


_JSON_HEAD = b'{"head":{"vars":['


def json_with_link(body: bytes, link: str) -> bytes:
    """SPARQL JSON results ``body`` with ``link`` added to ``head.link``.

    Oxigraph starts its JSON with ``{"head":{"vars":[...]``; variable names cannot hold ``]``
    (SPARQL 1.1 grammar, VARNAME), so the link goes right after the first ``]``.
    """
    if not body.startswith(_JSON_HEAD):
        doc = json.loads(body)
        doc["head"]["link"] = [link]
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    end = body.index(b"]", len(_JSON_HEAD)) + 1
    return body[:end] + b',"link":' + json.dumps([link]).encode() + body[end:]


def _term_json(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) != XSD_STRING:
            out["datatype"] = str(term.datatype)
    return out


def results_json(result: QueryResult, link: str | None = None) -> bytes:
    """SPARQL 1.1 Query Results JSON; ``link`` goes to ``head.link`` (e.g. a truncation note)."""
    head: dict = {}
    if result.kind == "select":
        head["vars"] = list(result.vars)
    if link:
        head["link"] = [link]
    if result.kind == "ask":
        doc: dict = {"head": head, "boolean": bool(result.boolean)}
    else:
        doc = {
            "head": head,
            "results": {
                "bindings": [
                    {k: _term_json(v) for k, v in row.items() if v is not None}
                    for row in result.rows
                ]
            },
        }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _rdflib_result(result: QueryResult) -> Result:
    res = Result("ASK" if result.kind == "ask" else "SELECT")
    if result.kind == "ask":
        res.askAnswer = bool(result.boolean)
    else:
        res.vars = [Variable(v) for v in result.vars]
        # The row values are rdflib terms (Identifiers) or None for an unbound variable.
        res.bindings = [
            cast("dict[Variable, Identifier]", {Variable(k): v for k, v in row.items()})
            for row in result.rows
        ]
    return res


def results_xml(result: QueryResult) -> bytes:
    """SPARQL Query Results XML, written by rdflib."""
    # With an encoding and no destination rdflib returns the bytes.
    return cast(bytes, _rdflib_result(result).serialize(format="xml", encoding="utf-8"))


def results_csv(result: QueryResult) -> bytes:
    """SPARQL 1.1 CSV results, written by rdflib."""
    out = io.BytesIO()
    _rdflib_result(result).serialize(out, format="csv", encoding="utf-8")
    return out.getvalue()


def results_tsv(result: QueryResult) -> bytes:
    """SPARQL 1.1 TSV results: terms in Turtle/N-Triples syntax, tab-separated (rdflib only
    parses TSV, so it is written here)."""
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for row in result.rows:
        lines.append("\t".join(row[v].n3() if row.get(v) is not None else "" for v in result.vars))
    return ("\n".join(lines) + "\n").encode("utf-8")


def bind_prefixes(g: Graph) -> Graph:
    """``g`` with the project's prefixes bound, for readable Turtle and TriG."""
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g


def graph_bytes(triples: Iterable[tuple], fmt: str, quads: Iterable[tuple] | None = None) -> bytes:
    """Triples (or ``quads`` with graph names) in RDF syntax ``fmt`` (an rdflib format name)."""
    if fmt in ("nquads", "trig"):
        ds = Dataset()
        bind_prefixes(ds)
        if quads is not None:
            for s, p, o, g in quads:
                ds.graph(URIRef(g) if g else ds.default_graph.identifier).add((s, p, o))
        else:
            for t in triples:
                ds.add(t)
        return ds.serialize(format=fmt, encoding="utf-8")
    g = bind_prefixes(Graph())
    if isinstance(triples, Graph):
        for prefix, ns in triples.namespaces():
            g.bind(prefix, ns, override=False)
    for t in triples:
        g.add(t)
    if fmt == "json-ld":
        return g.serialize(format="json-ld", encoding="utf-8", auto_compact=True)
    return g.serialize(format=fmt, encoding="utf-8")


def serialize(result: QueryResult | SerializedResult, mime: str, link: str | None = None) -> bytes:
    """``result`` in the format of media type ``mime`` (one of the offered ones).

    A :class:`SerializedResult` is already written in that format (see
    :func:`native_formats`); only the JSON link is added to it.
    """
    if isinstance(result, SerializedResult):
        if offered_types(result.kind)[mime] != result.format:
            raise ValueError(f"a {result.format} result cannot be sent as {mime}")
        if link and result.format == "json":
            return json_with_link(result.body, link)
        return result.body
    if result.kind == "graph":
        return graph_bytes(result.triples, GRAPH_TYPES[mime])
    name = SELECT_TYPES[mime]
    if name == "json":
        return results_json(result, link)
    if name == "xml":
        return results_xml(result)
    if name == "csv":
        return results_csv(result)
    return results_tsv(result)
