"""Query results as plain data, the same for every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from rdflib import Graph
from rdflib.term import Node

from clusterkg.store.terms import EncodedTerm, TermDecoder, to_python

#: What a query returns: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE).
ResultKind: TypeAlias = Literal["select", "ask", "graph"]
Triple: TypeAlias = tuple[Node, Node, Node]


@dataclass
class QueryResult:
    """The answer to one SPARQL query.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT and DESCRIBE). SELECT rows
    are dicts from variable name to rdflib term (unbound variables are absent). ``truncated``
    says that the row limit or the byte limit cut the answer; ``byte_limit`` is set (to the
    limit) when the bytes did.
    """

    kind: ResultKind
    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)
    truncated: bool = False
    row_limit: int | None = None
    byte_limit: int | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)

    def records(self) -> list[dict[str, Any]]:
        """SELECT rows as plain Python values (IRIs as strings, literals converted)."""
        return [{v: to_python(row.get(v)) for v in self.vars} for row in self.rows]

    def graph(self) -> Graph:
        """CONSTRUCT/DESCRIBE triples as an rdflib graph."""
        g = Graph()
        for t in self.triples:
            g.add(t)
        return g


@dataclass
class EncodedResult:
    """A :class:`QueryResult` with its terms encoded (:func:`~clusterkg.store.terms.encode_term`).

    This is how a result crosses the pipe from a query worker: tuples of strings pickle far
    faster than rdflib terms. :meth:`decode` gives the :class:`QueryResult`.
    """

    kind: ResultKind
    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, EncodedTerm]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[EncodedTerm, EncodedTerm, EncodedTerm]] = field(default_factory=list)
    truncated: bool = False
    row_limit: int | None = None
    byte_limit: int | None = None

    def decode(self) -> QueryResult:
        """The same result with rdflib terms."""
        term = TermDecoder()
        return QueryResult(
            self.kind,
            vars=self.vars,
            rows=[{k: term(v) for k, v in row.items()} for row in self.rows],
            boolean=self.boolean,
            triples=[(term(s), term(p), term(o)) for s, p, o in self.triples],
            truncated=self.truncated,
            row_limit=self.row_limit,
            byte_limit=self.byte_limit,
        )


def _text_size(term: object) -> int:
    """The characters of a term's text: an encoded term's strings, else ``str(term)``."""
    if isinstance(term, tuple):
        return sum(len(part) for part in term if isinstance(part, str))
    return len(str(term))


def cap_bytes(result: QueryResult | EncodedResult, max_bytes: int | None) -> None:
    """Cut ``result`` (in place) to the longest prefix of rows or triples whose values' text
    is at most ``max_bytes`` characters, marking it truncated with ``byte_limit`` set.

    The values' text is what every result format has to write at least, so a single huge
    literal cannot pass (the formats written by Oxigraph are bounded exactly instead, in
    :func:`clusterkg.store.native.serialize_result`).
    """
    if max_bytes is None:
        return
    items: list[Any] = result.rows if result.kind == "select" else result.triples
    total = 0
    for i, item in enumerate(items):
        terms = item.values() if isinstance(item, dict) else item
        total += sum(_text_size(t) for t in terms)
        if total > max_bytes:
            del items[i:]
            result.truncated = True
            result.byte_limit = max_bytes
            return
