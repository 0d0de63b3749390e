"""Resolving the references in imported rows: by IRI, prefixed name, label or alias.

A reference names a node of the existing graph or of another row of the same file. It
resolves when exactly one node of an allowed class carries that IRI or (case-insensitively)
that label; otherwise the reason says which candidates were found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from clusterkg.config import Settings
from clusterkg.store.query_engine import QueryEngine
from clusterkg.vocab import CK, ID, PREFIXES

_LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?v ?s ?t WHERE {
  ?s rdfs:label|skos:altLabel|skos:prefLabel|dcterms:title ?l .
  FILTER(isIRI(?s) && LCASE(STR(?l)) = ?v)
  OPTIONAL { ?s a ?t }
}"""
_TYPES_QUERY = "SELECT DISTINCT ?s ?t WHERE { { ?s ?p ?o } OPTIONAL { ?s a ?t } }"
_LABELS_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?l WHERE { ?s rdfs:label ?l }"""
_CURIE = re.compile(r"^([A-Za-z][\w-]*):([^\s/][^\s]*)$")
_ID_PATH = re.compile(r"^[a-z][a-z-]*/[\w.~-]+$")
_LOCAL_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def ontology_graph(settings: Settings) -> Graph:
    """The ontology folder's classes (not shapes) as one rdflib graph, for rdfs:subClassOf."""
    from clusterkg.validate import ontology_files, parse_files

    graph, _ = parse_files(ontology_files(settings.ontology_dir))
    return graph


def normalise(label: str) -> str:
    """The key labels are compared by: lower case, inner whitespace collapsed."""
    return " ".join(label.split()).lower()


@dataclass
class Node:
    """What the resolver knows of a node: its types (IRIs) and where it was defined."""

    types: set[str] = field(default_factory=set)
    row: int | None = None


class Resolver:
    """Looks references up in the rows of the file being imported and in ``engines``.

    ``ontology`` gives the class hierarchy, so that a ``ck:BatteryMaker`` counts as a
    ``ck:Enterprise``.
    """

    def __init__(self, engines: Sequence[QueryEngine], ontology: Graph) -> None:
        self.engines = list(engines)
        self.ontology = ontology
        self.local: dict[str, Node] = {}
        self.local_labels: dict[str, set[str]] = {}
        self._types_cache: dict[str, set[str] | None] = {}
        self._label_cache: dict[str, dict[str, set[str]]] = {}

    # ----- what the file defines -----
    def add_local(self, iri: str, names: Iterable[str], types: Iterable[str], row: int) -> None:
        """Make a node defined by row ``row`` referable by its IRI and its ``names``."""
        self.local[iri] = Node(set(types), row)
        for name in names:
            if name:
                self.local_labels.setdefault(normalise(name), set()).add(iri)

    # ----- what the graph holds -----
    def types_of(self, iri: str) -> set[str] | None:
        """The types of ``iri`` in the row set or the graph, or None if the graph lacks it."""
        if iri in self.local:
            return self.local[iri].types
        if iri not in self._types_cache:
            found: set[str] | None = None
            for engine in self.engines:
                res = engine.query(_TYPES_QUERY, bindings={"s": URIRef(iri)}, row_limit=None)
                if res.rows:
                    found = (found or set()) | {str(r["t"]) for r in res.rows if "t" in r}
            self._types_cache[iri] = found
        return self._types_cache[iri]

    def english_labels(self, iri: str) -> set[str]:
        """The @en (or plain) rdfs:labels the graph gives ``iri``."""
        labels: set[str] = set()
        for engine in self.engines:
            res = engine.query(_LABELS_OF, bindings={"s": URIRef(iri)}, row_limit=None)
            for r in res.rows:
                lit = r["l"]
                if isinstance(lit, Literal) and lit.language in (None, "en"):
                    labels.add(str(lit))
        return labels

    def by_label(self, label: str) -> dict[str, set[str]]:
        """Nodes (IRI -> types) whose label, alias or title is ``label``, ignoring case."""
        key = normalise(label)
        if key not in self._label_cache:
            found: dict[str, set[str]] = {}
            for engine in self.engines:
                res = engine.query(_LABEL_QUERY, bindings={"v": Literal(key)}, row_limit=None)
                for r in res.rows:
                    found.setdefault(str(r["s"]), set())
                    if "t" in r:
                        found[str(r["s"])].add(str(r["t"]))
            self._label_cache[key] = found
        found = dict(self._label_cache[key])
        for iri in self.local_labels.get(key, ()):
            found[iri] = found.get(iri, set()) | self.local[iri].types
        return found

    def is_a(self, types: set[str], classes: Sequence[str]) -> bool:
        """True if one of ``types`` is one of ``classes`` or a subclass of one (rdfs)."""
        if not classes:
            return True
        wanted = set(classes)
        for t in types:
            supers = {str(c) for c in self.ontology.transitive_objects(URIRef(t), RDFS.subClassOf)}
            if supers & wanted:
                return True
        return False

    # ----- resolution -----
    def resolve(self, value: str, classes: Sequence[str]) -> tuple[str | None, str | None]:
        """``(iri, None)`` for a reference that names one node, else ``(None, reason)``."""
        wanted = " or ".join(_short(c) for c in classes) or "node"
        iri = expand(value)
        if iri is not None:
            types = self.types_of(iri)
            if types is None:
                return None, f"unknown {wanted}: no node has this IRI"
            if not self.is_a(types, classes):
                return None, f"is a {_types_text(types)}, not a {wanted}"
            return iri, None
        found = self.by_label(value)
        if _LOCAL_NAME.match(value):
            ck_types = self.types_of(str(CK[value]))
            if ck_types is not None:
                found.setdefault(str(CK[value]), set()).update(ck_types)
        fitting = sorted(i for i, t in found.items() if self.is_a(t, classes))
        if len(fitting) == 1:
            return fitting[0], None
        if len(fitting) > 1:
            return None, f"ambiguous: names {len(fitting)} nodes: {', '.join(fitting)}"
        if found:
            other = "; ".join(f"{i} ({_types_text(t)})" for i, t in sorted(found.items()))
            return None, f"names no {wanted}, only: {other}"
        return None, f"unknown {wanted}: no node has this IRI, label or alias"


def expand(value: str) -> str | None:
    """The IRI a reference spells out (full IRI, ``prefix:local``, ``kind/slug``), or None."""
    if value.startswith(("http://", "https://")):
        return value
    m = _CURIE.match(value)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2)
    if _ID_PATH.match(value):
        return str(ID[value])
    return None


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _types_text(types: set[str]) -> str:
    return ", ".join(sorted(_short(t) for t in types)) or "node without a type"
