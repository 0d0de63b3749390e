"""Query results written by Oxigraph itself, bounded by the row limit, as bytes.

The general path turns every value of a result into an rdflib term and writes the response in
Python, at about 0.1 ms per row under one GIL. For the formats Oxigraph writes natively (SPARQL
Query Results JSON, XML, CSV and TSV; N-Triples, Turtle, N-Quads, TriG and RDF/XML) this module
produces the response body in Rust instead, in the query worker process, so the server only
forwards bytes.

The row limit stays exact without a Python loop over the rows: solutions are first written as
SPARQL TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/#tsv), where every solution is one
line (tabs and line breaks inside literals are escaped), through a writer that stops Oxigraph
once it has seen one solution more than the limit. The kept lines are parsed back by Oxigraph
(``pyoxigraph.parse_query_results``, lossless for IRIs, literals with their lexical form,
language and datatype, and blank node labels) and written in the requested format.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import IO, cast

import pyoxigraph as ox

from clusterkg.store.results import ResultKind
from clusterkg.vocab import PREFIXES

#: Result-set formats (names as in ``clusterkg.web.formats.SELECT_TYPES``).
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: Graph formats (names as in ``clusterkg.web.formats.GRAPH_TYPES``; JSON-LD stays with rdflib,
#: whose compacted output with the project's prefixes is what clients of this server get).
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
#: The result kinds of :class:`clusterkg.store.results.QueryResult` and their format tables.
NATIVE: dict[ResultKind, dict[str, ox.QueryResultsFormat] | dict[str, ox.RdfFormat]] = {
    "select": RESULTS_FORMATS,
    "ask": RESULTS_FORMATS,
    "graph": GRAPH_FORMATS,
}
_PREFIXED = ("turtle", "trig", "xml")


@dataclass
class SerializedResult:
    """A query result already written in one format.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` and ``format`` the format name it was
    written in (a key of :data:`RESULTS_FORMATS` or :data:`GRAPH_FORMATS`); ``truncated`` and
    ``row_limit`` mean what they mean on :class:`~clusterkg.store.results.QueryResult`.
    """

    kind: ResultKind
    format: str
    body: bytes
    truncated: bool = False
    row_limit: int | None = None


def result_kind(raw: object) -> ResultKind:
    """``select``, ``ask`` or ``graph`` for a pyoxigraph query result."""
    if isinstance(raw, ox.QueryBoolean):
        return "ask"
    if isinstance(raw, ox.QuerySolutions):
        return "select"
    return "graph"


class _EnoughRows(Exception):
    """Raised inside Oxigraph's writer to stop it: the row limit has been passed."""


class _LineWriter:
    """A binary sink that collects output and stops the writer after ``stop_at`` lines."""

    def __init__(self, stop_at: int | None) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.stop_at = stop_at

    def write(self, data: bytes) -> int:
        data = bytes(data)
        self.chunks.append(data)
        self.lines += data.count(b"\n")
        if self.stop_at is not None and self.lines >= self.stop_at:
            raise _EnoughRows
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the chunks are kept in memory."""


def _bounded_tsv(solutions: ox.QuerySolutions, row_limit: int | None) -> tuple[bytes, bool]:
    """The solutions as TSV (header line + one line per solution), at most ``row_limit`` rows,
    and whether more solutions existed."""
    # Header + limit rows + one more row proves truncation.
    sink = _LineWriter(None if row_limit is None else row_limit + 2)
    try:
        solutions.serialize(cast("IO[bytes]", sink), format=ox.QueryResultsFormat.TSV)
    except _EnoughRows:
        pass
    data = b"".join(sink.chunks)
    if row_limit is None or sink.lines < row_limit + 2:
        return data, False
    end = -1
    for _ in range(row_limit + 1):
        end = data.index(b"\n", end + 1)
    return data[: end + 1], True


def serialize_result(raw: object, fmt: str, row_limit: int | None) -> SerializedResult:
    """A pyoxigraph query result written in format ``fmt`` of its kind, cut at ``row_limit``.

    ``row_limit`` counts solutions (SELECT) or triples as the query produced them (CONSTRUCT,
    DESCRIBE), as :func:`clusterkg.store.oxigraph_backend.to_query_result` does; duplicate
    triples are then written once, as a graph is a set (RDF 1.1 Concepts, section 3).
    """
    if isinstance(raw, ox.QueryBoolean):
        return SerializedResult("ask", fmt, raw.serialize(format=RESULTS_FORMATS[fmt]) or b"")
    if isinstance(raw, ox.QuerySolutions):
        target = RESULTS_FORMATS[fmt]
        tsv, truncated = _bounded_tsv(raw, row_limit)
        if target == ox.QueryResultsFormat.TSV:
            body = tsv
        else:
            kept = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
            assert isinstance(kept, ox.QuerySolutions)  # TSV has no boolean results
            body = kept.serialize(format=target) or b""
        return SerializedResult("select", fmt, body, truncated, row_limit)
    if not isinstance(raw, ox.QueryTriples):
        raise TypeError(f"not a pyoxigraph query result: {raw!r}")
    kind: ResultKind = "graph"
    triples = list(itertools.islice(raw, None if row_limit is None else row_limit + 1))
    truncated = row_limit is not None and len(triples) > row_limit
    if truncated:
        del triples[row_limit:]
    unique = list(dict.fromkeys(triples))
    prefixes = None
    if fmt in _PREFIXED:
        # Declare only the prefixes in use, found in the N-Triples text (a C-speed search).
        plain = ox.serialize(unique, format=ox.RdfFormat.N_TRIPLES) or b""
        prefixes = {p: ns for p, ns in PREFIXES.items() if f"<{ns}".encode() in plain}
    body = ox.serialize(unique, format=GRAPH_FORMATS[fmt], prefixes=prefixes) or b""
    return SerializedResult(kind, fmt, body, truncated, row_limit)
