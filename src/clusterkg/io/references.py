"""Resolving the references in imported rows: by IRI, prefixed name, label or alias.

A reference names a node of the existing graph or of another row of the same file. It
resolves when exactly one node of an allowed class carries that IRI or (case-insensitively)
that label; otherwise the reason says which candidates were found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from clusterkg.config import Settings
from clusterkg.store.query_engine import QueryEngine
from clusterkg.vocab import CK, ID, PREFIXES, curie

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
_SCHEMES_OF = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?sc WHERE { ?s skos:inScheme ?sc }"""
#: Every labelled node of some classes (VALUES ?t is filled in) or of one scheme (?sc bound).
_NAMES_OF_CLASSES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?l WHERE {
  VALUES ?t { %s }
  ?s a ?t ; rdfs:label|skos:altLabel|skos:prefLabel ?l . FILTER(isIRI(?s))
}"""
_NAMES_IN_SCHEME = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?l WHERE {
  ?s skos:inScheme ?sc ; rdfs:label|skos:altLabel|skos:prefLabel ?l . FILTER(isIRI(?s))
}"""
#: How many near misses an error offers.
SUGGESTIONS = 5
#: Above this many labels a column's near misses are found by words only (no difflib ratio).
FUZZY_LIMIT = 5_000
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
    schemes: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)


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
        self._scheme_cache: dict[str, set[str]] = {}
        self._names_cache: dict[tuple, dict[str, set[str]]] = {}
        self._candidate_cache: dict[tuple, tuple[set[str], list[tuple]]] = {}

    # ----- what the file defines -----
    def add_local(
        self,
        iri: str,
        names: Iterable[str],
        types: Iterable[str],
        row: int,
        schemes: Iterable[str] = (),
    ) -> None:
        """Make a node defined by row ``row`` referable by its IRI and its ``names``."""
        kept = [n for n in names if n]
        self.local[iri] = Node(set(types), row, set(schemes), kept)
        for name in kept:
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

    def schemes_of(self, iri: str) -> set[str]:
        """The skos:ConceptSchemes ``iri`` is in (graph and rows of the file)."""
        found = set(self.local[iri].schemes) if iri in self.local else set()
        if iri not in self._scheme_cache:
            schemes: set[str] = set()
            for engine in self.engines:
                res = engine.query(_SCHEMES_OF, bindings={"s": URIRef(iri)}, row_limit=None)
                schemes |= {str(r["sc"]) for r in res.rows}
            self._scheme_cache[iri] = schemes
        return found | self._scheme_cache[iri]

    def objects(self, iri: str, predicate: str) -> set[str]:
        """The values of ``iri``'s ``predicate`` in the graph (IRIs and literals as text)."""
        out: set[str] = set()
        query = "SELECT ?o WHERE { ?s ?p ?o }"
        for engine in self.engines:
            res = engine.query(
                query, bindings={"s": URIRef(iri), "p": URIRef(predicate)}, row_limit=None
            )
            out |= {str(r["o"]) for r in res.rows}
        return out

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

    def fits(self, iri: str, types: set[str], classes: Sequence[str], scheme: str = "") -> bool:
        """True if a node of ``types`` is of one of ``classes`` (and in ``scheme``, if given)."""
        return self.is_a(types, classes) and (not scheme or scheme in self.schemes_of(iri))

    def names(self, classes: Sequence[str], scheme: str = "") -> dict[str, set[str]]:
        """Every node a column may name (IRI -> its labels and aliases): of ``classes``
        (subclasses included) or, with ``scheme``, the concepts of that scheme."""
        key = (tuple(classes), scheme)
        if key not in self._names_cache:
            out: dict[str, set[str]] = {}
            if scheme:
                query, bindings = _NAMES_IN_SCHEME, {"sc": URIRef(scheme)}
            else:
                wanted = {URIRef(c) for c in classes}
                for c in classes:
                    subs = self.ontology.transitive_subjects(RDFS.subClassOf, URIRef(c))
                    wanted |= {URIRef(str(sub)) for sub in subs}
                query, bindings = _NAMES_OF_CLASSES % " ".join(f"<{c}>" for c in wanted), {}
            for engine in self.engines:
                for r in engine.query(query, bindings=bindings, row_limit=None).rows:
                    out.setdefault(str(r["s"]), set()).add(str(r["l"]))
            self._names_cache[key] = out
        found = {i: set(n) for i, n in self._names_cache[key].items()}
        for iri, node in self.local.items():
            if self.fits(iri, node.types, classes, scheme):
                found.setdefault(iri, set()).update(node.names)
        return found

    def suggest(self, value: str, classes: Sequence[str], scheme: str = "") -> list[str]:
        """Near misses for ``value`` among the nodes a column may name, best first, as
        ``label (prefixed IRI)``: labels or aliases whose words contain, or are contained in,
        the words of ``value``, and labels similar by :class:`difflib.SequenceMatcher` ratio
        >= 0.6 (as :func:`difflib.get_close_matches`). The similarity is skipped when the
        column may name more than :data:`FUZZY_LIMIT` labels (a large network's firms), where
        it would take seconds per unknown name."""
        key = normalise(value)
        words = frozenset(re.findall(r"\w+", key))
        candidates = self._candidates(classes, scheme)
        fuzzy = len(candidates) <= FUZZY_LIMIT
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(key)  # seq2 is the one SequenceMatcher caches its analysis of
        scored: dict[str, tuple[float, str]] = {}
        for iri, label, norm, label_words in candidates:
            ratio = 0.0
            if words and label_words and (words <= label_words or label_words <= words):
                ratio = 0.6
            if fuzzy:
                matcher.set_seq1(norm)
                # the cheap upper bounds first, as get_close_matches does
                if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
                    ratio = max(ratio, matcher.ratio())
            if ratio >= 0.6 and ratio > scored.get(iri, (0.0, ""))[0]:
                scored[iri] = (ratio, label)
        best = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[:SUGGESTIONS]
        return [f"{label} ({curie(iri)})" for iri, (_r, label) in best]

    def _candidates(self, classes: Sequence[str], scheme: str) -> list[tuple]:
        """``(iri, label, normalised label, its words)`` for every name :meth:`names` gives;
        the graph's part is prepared once per column kind, the file's rows are added fresh."""
        key = (tuple(classes), scheme)
        if key not in self._candidate_cache:
            names = self.names(classes, scheme)
            self._candidate_cache[key] = (
                set(self.local),
                [_candidate(i, label) for i, labels in names.items() for label in labels],
            )
        seen_local, prepared = self._candidate_cache[key]
        fresh = [
            _candidate(iri, label)
            for iri, node in self.local.items()
            if iri not in seen_local and self.fits(iri, node.types, classes, scheme)
            for label in node.names
        ]
        return prepared + fresh

    def _help(self, value: str, classes, scheme: str, added_by: str, list_all: bool) -> str:
        """What an error about an unknown reference adds: near misses, the valid names, and
        the import kind that adds new ones."""
        parts = []
        near = self.suggest(value, classes, scheme)
        if near:
            parts.append("did you mean " + " or ".join(near) + "?")
        if list_all:
            names = sorted(min(labels, key=len) for labels in self.names(classes, scheme).values())
            parts.append("valid: " + ", ".join(names))
        if added_by:
            parts.append(f"add a new one with: clusterkg import --kind {added_by}")
        return "".join(f"; {p}" for p in parts)

    # ----- resolution -----
    def resolve(
        self,
        value: str,
        classes: Sequence[str],
        scheme: str = "",
        *,
        added_by: str = "",
        list_all: bool = False,
    ) -> tuple[str | None, str | None]:
        """``(iri, None)`` for a reference that names one node, else ``(None, reason)``.

        With ``scheme`` only concepts of that skos:ConceptScheme count. An unknown value's
        reason offers near misses (:meth:`suggest`), with ``list_all`` every valid name, and
        with ``added_by`` the import kind that adds such nodes.
        """
        wanted = " or ".join(curie(c) for c in classes) or "node"
        if scheme:
            wanted = f"{wanted} of {curie(scheme)}"
        iri = expand(value)
        if iri is not None:
            types = self.types_of(iri)
            if types is None:
                help_text = self._help(_name_words(iri), classes, scheme, added_by, list_all)
                return None, f"unknown {wanted}: no node has this IRI{help_text}"
            if not self.fits(iri, types, classes, scheme):
                help_text = self._help(_name_words(iri), classes, scheme, added_by, list_all)
                return None, f"is a {self._what(iri, types)}, not a {wanted}{help_text}"
            return iri, None
        found = self.by_label(value)
        if _LOCAL_NAME.match(value):
            ck_types = self.types_of(str(CK[value]))
            if ck_types is not None:
                found.setdefault(str(CK[value]), set()).update(ck_types)
        fitting = sorted(i for i, t in found.items() if self.fits(i, t, classes, scheme))
        if len(fitting) == 1:
            return fitting[0], None
        if len(fitting) > 1:
            return None, f"ambiguous: names {len(fitting)} nodes: {', '.join(fitting)}"
        help_text = self._help(value, classes, scheme, added_by, list_all)
        if found:
            other = "; ".join(f"{i} ({self._what(i, t)})" for i, t in sorted(found.items()))
            return None, f"names no {wanted}, only: {other}{help_text}"
        return None, f"unknown {wanted}: no node has this IRI, label or alias{help_text}"

    def _what(self, iri: str, types: set[str]) -> str:
        """A node's types, and for a concept its schemes (a sector is not an item)."""
        schemes = self.schemes_of(iri) if str(SKOS.Concept) in types else set()
        text = _types_text(types)
        return text + "".join(f" of {curie(s)}" for s in sorted(schemes))


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


def _candidate(iri: str, label: str) -> tuple[str, str, str, frozenset[str]]:
    norm = normalise(label)
    return iri, label, norm, frozenset(re.findall(r"\w+", norm))


def _name_words(iri: str) -> str:
    """The last path segment of an IRI, as words (``component/lithium-salt`` -> lithium salt)."""
    return re.split(r"[/#]", iri.rstrip("/"))[-1].replace("-", " ")


def _types_text(types: set[str]) -> str:
    return ", ".join(sorted(curie(t) for t in types)) or "node without a type"
