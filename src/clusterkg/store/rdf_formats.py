"""The RDF formats clusterkg reads and writes: one table for the loader, backends and checks.

Format names are rdflib's parser names (``turtle``, ``nt``, ``xml``, ...), which is what
:mod:`clusterkg.validate` hands to rdflib; :data:`OXIGRAPH` maps the same names to
pyoxigraph's formats for the Oxigraph backend and the compiled SHACL engine.
"""

from __future__ import annotations

import pyoxigraph as ox

#: File endings clusterkg reads, and the format name of each.
RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".n3": "n3",
}
#: Formats whose files name their own graphs (datasets, not single graphs).
QUAD_FORMATS: frozenset[str] = frozenset({"nquads", "trig"})
#: Each format name as pyoxigraph knows it.
OXIGRAPH: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}


def format_for_suffix(suffix: str) -> str | None:
    """The format name for a file ending such as ``.TTL`` (any case), or ``None``."""
    return RDF_SUFFIXES.get(suffix.lower())
