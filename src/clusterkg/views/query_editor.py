"""What the query page's editor needs from the server: the graph's own vocabulary to complete
(prefixes, classes, properties; offline, nothing asked of prefix.cc or LOV) and the download
formats that fit each kind of result.

A class is anything declared ``owl:Class``/``rdfs:Class`` or used as the object of
``rdf:type``; a property anything declared ``rdf:Property`` or an OWL property, or used as a
predicate (RDF Schema 1.1, sections 2.2 and 2.8; OWL 2 Structural Specification, section 5.8).
"""

from __future__ import annotations

from typing import Any

from clusterkg.analytics.projection import select
from clusterkg.store.kg import KnowledgeGraph
from clusterkg.views.serialize import FORMAT_ALIASES, offered_types
from clusterkg.vocab import PREFIXES

#: Per result kind: (``format=`` value, label, file extension), in the order offered.
DOWNLOADS: dict[str, list[tuple[str, str, str]]] = {
    "select": [
        ("csv", "CSV", "csv"),
        ("tsv", "TSV", "tsv"),
        ("json", "JSON", "srj"),
        ("xml", "XML", "srx"),
    ],
    "ask": [("json", "JSON", "srj"), ("xml", "XML", "srx")],
    "graph": [
        ("turtle", "Turtle", "ttl"),
        ("nt", "N-Triples", "nt"),
        ("jsonld", "JSON-LD", "jsonld"),
        ("rdfxml", "RDF/XML", "rdf"),
    ],
}

_CLASSES = """SELECT DISTINCT ?c WHERE {
  { ?c a owl:Class } UNION { ?c a rdfs:Class } UNION { [] a ?c } FILTER(isIRI(?c)) }"""
_PROPERTIES = """SELECT DISTINCT ?p WHERE {
  { VALUES ?kind { rdf:Property owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
    ?p a ?kind } UNION { [] ?p [] } FILTER(isIRI(?p)) }"""


def download_formats() -> dict[str, list[dict[str, str]]]:
    """Per result kind (select, ask, graph), the downloads offered: ``format``, ``label``,
    ``extension`` and the ``media_type`` the server answers that ``format=`` with."""
    out: dict[str, list[dict[str, str]]] = {}
    for kind, formats in DOWNLOADS.items():
        offered = offered_types(kind)
        out[kind] = [
            {"format": fmt, "label": label, "extension": ext, "media_type": FORMAT_ALIASES[fmt]}
            for fmt, label, ext in formats
            if FORMAT_ALIASES[fmt] in offered
        ]
    return out


def vocabulary(kg: KnowledgeGraph) -> dict[str, Any]:
    """The prefixes the project declares and the graph's classes and properties (full IRIs,
    sorted), cached per state of the store."""

    def make() -> dict[str, Any]:
        classes = sorted({str(r["c"]) for r in select(kg, _CLASSES)})
        properties = sorted({str(r["p"]) for r in select(kg, _PROPERTIES)})
        return {"prefixes": dict(PREFIXES), "classes": classes, "properties": properties}

    return kg.cached("query-editor-vocabulary", make)


def editor_data(kg: KnowledgeGraph) -> dict[str, Any]:
    """:func:`vocabulary` and :func:`download_formats` in one answer for the page."""
    return {**vocabulary(kg), "downloads": download_formats()}
