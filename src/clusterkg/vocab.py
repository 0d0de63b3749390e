"""Namespaces and the contract terms of the clusterkg ontology, as rdflib terms, and the one
way to shorten an IRI for people (:func:`curie`) and to find its page (:func:`page_path`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

CK = Namespace("https://w3id.org/clusterkg/ontology#")
ID = Namespace("https://w3id.org/clusterkg/id/")
GRAPH = Namespace("https://w3id.org/clusterkg/graph/")
SH = Namespace("http://www.w3.org/ns/shacl#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
QB = Namespace("http://purl.org/linked-data/cube#")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CUR = Namespace("http://qudt.org/vocab/currency/")

ONTOLOGY_IRI = "https://w3id.org/clusterkg/ontology"
ANALYTICS_GRAPH = GRAPH["analytics"]
SYNTHETIC_GRAPH = GRAPH["synthetic"]

#: Prefixes known to every query (named queries, the endpoint, the CLI) and to serialisers.
PREFIXES: dict[str, str] = {
    "ck": str(CK),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "qb": str(QB),
    "wgs84": str(WGS84),
    "geo": str(GEO),
    "sh": str(SH),
    "unit": str(UNIT),
    "cur": str(CUR),
}


def curie(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``ck:Enterprise`` for an IRI in one of ``prefixes`` (prefix -> namespace), else ``iri``.

    The first namespace that ``iri`` starts with and extends wins (a compact IRI, JSON-LD 1.1
    section 4.1.5; the known namespaces do not nest, so the order does not matter).
    """
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def local_name(iri: object) -> str:
    """The last segment of an IRI's path or fragment: ``catl`` for ``.../enterprise/catl``."""
    return re.split(r"[/#]", str(iri).rstrip("/"))[-1]


def page_path(iri: str | None) -> str | None:
    """The ``/id/...`` path of the linked-data page of a clusterkg resource IRI, else ``None``."""
    if iri and iri.startswith(str(ID)):
        return "/id/" + iri[len(str(ID)) :]
    return None


__all__ = [
    "CK",
    "ID",
    "GRAPH",
    "SH",
    "ORG",
    "SCHEMA",
    "QB",
    "WGS84",
    "GEO",
    "UNIT",
    "CUR",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "SKOS",
    "DCTERMS",
    "PROV",
    "ONTOLOGY_IRI",
    "ANALYTICS_GRAPH",
    "SYNTHETIC_GRAPH",
    "PREFIXES",
    "curie",
    "local_name",
    "page_path",
]
