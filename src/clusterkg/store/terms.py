"""Conversions between pyoxigraph terms, rdflib terms, plain Python values and the compact
form in which terms cross the pipe from a query worker (:func:`encode_term`)."""

from __future__ import annotations

import re
from typing import Any, TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: A term as plain strings: ``("u", iri)``, ``("b", label)`` or
#: ``("l", lexical form, language or None, datatype IRI)``.
EncodedTerm: TypeAlias = tuple[str, str] | tuple[str, str, str | None, str]
_HTTP_IRI = re.compile(r"https?://[^\s<>\"{}|^`\\]+")


def ox_to_rdflib(term: Any) -> Node | None:
    """An rdflib term for a pyoxigraph term (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        # keep the lexical form as stored ("01" stays "01"): results must echo the data
        return Literal(term.value, datatype=URIRef(dt), normalize=False)
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported RDF term {term!r}")


def rdflib_to_ox(term: Node) -> Any:
    """A pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported RDF term {term!r}")


def to_python(term: Node | None) -> Any:
    """A plain value: IRIs and blank nodes as strings, literals as their Python value."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Literal):  # ill-typed or unknown datatype
            return str(term)
        return value
    return str(term)


def encode_term(term: Any) -> EncodedTerm | None:
    """A pyoxigraph term as a tuple of strings: far cheaper to pickle than rdflib terms."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return ("u", term.value)
    if isinstance(term, ox.BlankNode):
        return ("b", term.value)
    if isinstance(term, ox.Literal):
        return ("l", term.value, term.language, term.datatype.value)
    raise TypeError(f"unsupported RDF term {term!r}")


class TermDecoder:
    """Encoded terms back to rdflib terms, each distinct term built once (results repeat them)."""

    def __init__(self) -> None:
        self._made: dict[EncodedTerm, Node] = {}

    def __call__(self, code: EncodedTerm) -> Node:
        term = self._made.get(code)
        if term is None:
            term = self._made[code] = self._make(code)
        return term

    @staticmethod
    def _make(code: EncodedTerm) -> Node:
        if code[0] == "u":
            return URIRef(code[1])
        if code[0] == "b":
            return BNode(code[1])
        assert len(code) == 4
        _, value, language, datatype = code
        if language:
            return Literal(value, lang=language)
        if datatype == XSD_STRING:
            return Literal(value)
        # normalize=False keeps the lexical form the store holds ("1.0E6", "01").
        return Literal(value, datatype=URIRef(datatype), normalize=False)


def as_term(value: object) -> Node:
    """An RDF term for a parameter value: IRIs stay IRIs, numbers typed, the rest strings."""
    if isinstance(value, (URIRef, Literal)):
        return value
    if isinstance(value, (bool, int, float)):
        return Literal(value)
    text = str(value)
    if _HTTP_IRI.fullmatch(text):
        return URIRef(text)
    return Literal(text)
