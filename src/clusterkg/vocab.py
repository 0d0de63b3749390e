"""Namespaces and the contract terms of the clusterkg ontology, as rdflib terms."""

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
]
