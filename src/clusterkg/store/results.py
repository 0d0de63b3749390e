"""Query results as plain data, the same for every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from clusterkg.store.terms import to_python


@dataclass
class QueryResult:
    """The answer to one SPARQL query.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT and DESCRIBE). SELECT rows
    are dicts from variable name to rdflib term (unbound variables are absent). ``truncated``
    says that the row limit cut the answer.
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Node, Node, Node]] = field(default_factory=list)
    truncated: bool = False
    row_limit: int | None = None

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
