"""Query results written by Oxigraph itself, bounded by the row limit, as bytes.

The general path turns every value of a result into an rdflib term and writes the response in
Python, at about 0.1 ms per row under one GIL. For the formats Oxigraph writes natively (SPARQL
Query Results JSON, XML, CSV and TSV; N-Triples, Turtle, N-Quads, TriG and RDF/XML) this module
produces the response body in Rust instead, in the query worker process, so the server only
forwards bytes.

A byte ceiling bounds the body as well (a single huge literal passes any row limit): the
writer also stops past it, and what it writes past the ceiling is not kept.

SPARQL results (JSON, XML, CSV, TSV) are written directly in their format, in one pass: a sink
counts the solutions as Oxigraph writes them (in XML a solution starts at ``<result>``, which no
text can contain, as ``<`` is escaped there; in JSON the solutions of the ``bindings`` array
are found by a C-speed count of ``},{``, which a string value may also contain, so only past
that count does the sink decode the solutions exactly with :mod:`json`; in TSV every solution
is one line (https://www.w3.org/TR/sparql11-results-csv-tsv/#tsv: tabs and line breaks inside
literals are escaped); in CSV a row ends at a line break outside quotes, found past a C-speed
count of line breaks by counting the quotes between them). Within the limits the body is
Oxigraph's own; past them it is cut after the last whole solution that fits and closed. CSV
is SPARQL's own (values raw, nothing neutralised for spreadsheets).
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, cast

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
#: What closes a SPARQL results document after its last solution.
_CLOSE = {"json": b"]}}", "xml": b"</results></sparql>", "csv": b"", "tsv": b""}


@dataclass
class SerializedResult:
    """A query result already written in one format.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` and ``format`` the format name it was
    written in (a key of :data:`RESULTS_FORMATS` or :data:`GRAPH_FORMATS`); ``truncated``,
    ``row_limit`` and ``byte_limit`` mean what they mean on
    :class:`~clusterkg.store.results.QueryResult`.
    """

    kind: ResultKind
    format: str
    body: bytes
    truncated: bool = False
    row_limit: int | None = None
    byte_limit: int | None = None

    def __reduce__(self) -> tuple[type[SerializedResult], tuple[Any, ...]]:
        # Every query's answer crosses the worker pipe as one: a call with the fields pickles
        # and unpickles in a fifth of the time of the default (a class and a state dict).
        return (
            SerializedResult,
            (self.kind, self.format, self.body, self.truncated, self.row_limit, self.byte_limit),
        )


def result_kind(raw: object) -> ResultKind:
    """``select``, ``ask`` or ``graph`` for a pyoxigraph query result."""
    if isinstance(raw, ox.QueryBoolean):
        return "ask"
    if isinstance(raw, ox.QuerySolutions):
        return "select"
    return "graph"


class _Enough(Exception):
    """Raised inside Oxigraph's writer to stop it: the row or byte limit has been passed."""


class _SolutionWriter:
    """A binary sink for SPARQL results (JSON, XML, CSV, TSV) that knows where each solution
    ends.

    ``ends[i]`` is the byte offset just after solution ``i``. The writer is stopped once more
    than ``stop_after`` solutions are complete (so more exist than the limit keeps), or once
    the body passes ``max_bytes``; what Oxigraph writes past ``max_bytes`` is not kept (no
    solution that ends there fits), so a single huge value costs the sink the ceiling only.
    """

    def __init__(self, fmt: str, stop_after: int | None, max_bytes: int | None) -> None:
        self.fmt = fmt
        self.buf = bytearray()
        self.stop_after = stop_after
        self.max_bytes = max_bytes
        self.more = False
        self.over_bytes = False
        self.ends: list[int] = []
        self.close = _CLOSE[fmt]
        #: JSON, CSV, TSV: a rough count of solution boundaries, at least the exact count
        #: (``},{`` may also be in a JSON string, a line break in a quoted CSV value; TSV's
        #: header line is counted too).
        self._marks = 0
        #: Where the exact search goes on from (a byte offset; -1: the start of the solutions
        #: is not found yet).
        self._scan = -1
        #: CSV: whether the exact search stopped inside a quoted value.
        self._quoted = False
        self._decoder = json.JSONDecoder()

    def write(self, data: bytes) -> int:
        old = len(self.buf)
        size = len(data)
        if self.max_bytes is not None and old + size > self.max_bytes:
            # Keep one byte past the ceiling: enough to know it was passed.
            self.buf += memoryview(data)[: self.max_bytes + 1 - old]
            self.over_bytes = True
        else:
            self.buf += data
        if self.fmt == "xml":
            self._find_xml(old)
        else:
            mark = b"},{" if self.fmt == "json" else b"\n"
            self._marks += self.buf.count(mark, max(0, old - len(mark) + 1))
            if self.stop_after is not None and self._marks >= self.stop_after:
                self._find_ends()
        if self.stop_after is not None and len(self.ends) > self.stop_after:
            self.more = True
            raise _Enough
        if self.over_bytes:
            raise _Enough
        return size

    def flush(self) -> None:
        """Nothing to flush: the body is kept in memory."""

    def _solutions_start(self) -> int:
        """The offset where the first solution would begin, or -1 if not written yet."""
        if self.fmt in ("csv", "tsv"):
            # The header line: variable names hold no quote and no line break.
            at = self.buf.find(b"\n")
            return at if at < 0 else at + 1
        key = b"<results>" if self.fmt == "xml" else b'"bindings":['
        at = self.buf.find(key)
        return at if at < 0 else at + len(key)

    def _find_xml(self, old: int) -> None:
        # No text contains "</result>": "<" is escaped in XML character data and attributes.
        buf = self.buf
        pos = buf.find(b"</result>", max(0, old - 8))
        while pos >= 0:
            self.ends.append(pos + 9)
            pos = buf.find(b"</result>", pos + 9)

    def _find_ends(self) -> None:
        """Find the ends of the solutions written since the last call (each byte once)."""
        if self._scan < 0:
            self._scan = self._solutions_start()
            if self._scan < 0:
                return
        if self.fmt == "json":
            self._decode_json()
        elif self.fmt == "csv":
            self._find_csv()
        else:  # TSV: one line per solution (tabs and line breaks in values are escaped)
            buf, ends = self.buf, self.ends
            pos = buf.find(b"\n", self._scan)
            while pos >= 0:
                ends.append(pos + 1)
                pos = buf.find(b"\n", pos + 1)
            self._scan = len(buf)

    def _find_csv(self) -> None:
        """CSV rows end at a line break outside quotes.

        Oxigraph quotes a literal value that holds ``"``, ``,`` or a line break, doubling its
        ``"``; no IRI or blank node label holds ``"`` or a line break. So a line break is
        outside quotes when the ``"`` before it (from a row's start) are even in number: the
        search goes from line break to line break, counting quotes at C speed, and skips a
        quoted value's line breaks up to its next ``"`` at once.
        """
        buf, ends = self.buf, self.ends
        pos, quoted, size = self._scan, self._quoted, len(buf)
        while pos < size:
            if quoted:
                pos = buf.find(b'"', pos)  # the line breaks before it are in the value
                if pos < 0:
                    pos = size
                    break
            line_end = buf.find(b"\n", pos)
            stop = size if line_end < 0 else line_end
            if buf.count(b'"', pos, stop) % 2:
                quoted = not quoted
            if line_end < 0:
                pos = size
                break
            pos = line_end + 1
            if not quoted:
                ends.append(pos)
        self._scan, self._quoted = pos, quoted

    def _decode_json(self) -> None:
        """Decode the whole solutions written since the last call (each byte once)."""
        chunk = bytes(self.buf[self._scan :])
        ascii_only = chunk.isascii()
        text = chunk.decode("utf-8", errors="replace")  # a split last character: incomplete
        pos = 0
        while pos < len(text):
            start = pos + 1 if text[pos] == "," else pos
            try:
                _, end = self._decoder.raw_decode(text, start)
            except ValueError:
                break  # not complete yet, or the closing bracket
            size = end - pos if ascii_only else len(text[pos:end].encode("utf-8"))
            self._scan += size
            self.ends.append(self._scan)
            pos = end

    def complete(self) -> int:
        """How many solutions are whole in the body written so far."""
        if self.fmt != "xml":
            self._find_ends()
        return len(self.ends)

    def body(self, keep: int) -> bytes:
        """The document with its first ``keep`` whole solutions, closed."""
        cut = self.ends[keep - 1] if keep > 0 else self._solutions_start()
        head = bytes(self.buf[:cut])
        if cut < 0:  # not even the head was written (a tiny byte ceiling)
            return b""
        return head + self.close


def _direct_results(
    solutions: ox.QuerySolutions, fmt: str, row_limit: int | None, max_bytes: int | None
) -> tuple[bytes, bool, bool]:
    """SPARQL results written by Oxigraph in one pass, cut at ``row_limit`` solutions and at
    ``max_bytes`` bytes after a whole solution: the body, whether it is truncated, and whether
    the byte ceiling cut it."""
    sink = _SolutionWriter(fmt, row_limit, max_bytes)
    try:
        solutions.serialize(cast("IO[bytes]", sink), format=RESULTS_FORMATS[fmt])
    except _Enough:
        pass
    if not sink.more and not sink.over_bytes:
        return bytes(sink.buf), False, False
    keep = sink.complete()
    if row_limit is not None:
        keep = min(keep, row_limit)
    by_bytes = False
    if max_bytes is not None:
        keep = bisect.bisect_right(sink.ends, max_bytes - len(sink.close), 0, keep)
        # The bytes cut it unless all the solutions the row limit keeps fit (a result that
        # passes the ceiling with fewer solutions has one more, cut by the bytes).
        by_bytes = row_limit is None or keep < row_limit
    return sink.body(keep), True, by_bytes


def _fit(
    sizes: list[int], render: Callable[[int], bytes], max_bytes: int | None
) -> tuple[bytes, int]:
    """``render(k)`` for the largest ``k`` found whose body is at most ``max_bytes`` bytes.

    ``sizes`` are the items' sizes in a plain form (N-Triples); the ratio of the rendered body
    to that form, measured on each try, picks the next prefix, so a single huge item cuts the
    result just before it and the plain form itself is cut exactly. The empty body is returned
    even if larger.
    """
    k = len(sizes)
    body = render(k)
    if max_bytes is None:
        return body, k
    prefix = list(itertools.accumulate(sizes, initial=0))
    while len(body) > max_bytes and k > 0:
        ratio = len(body) / max(1, prefix[k])
        fits = bisect.bisect_right(prefix, max_bytes / ratio) - 1
        k = max(0, min(k - 1, fits))
        body = render(k)
    return body, k


def serialize_result(
    raw: object, fmt: str, row_limit: int | None, max_bytes: int | None = None
) -> SerializedResult:
    """A pyoxigraph query result written in format ``fmt`` of its kind, cut at ``row_limit``
    rows and at ``max_bytes`` bytes of body (whichever comes first; ``byte_limit`` is set on
    the result when the bytes cut it).

    ``row_limit`` counts solutions (SELECT) or triples as the query produced them (CONSTRUCT,
    DESCRIBE), as :func:`clusterkg.store.oxigraph_backend.to_query_result` does; duplicate
    triples are then written once, as a graph is a set (RDF 1.1 Concepts, section 3).
    """
    if isinstance(raw, ox.QueryBoolean):
        return SerializedResult("ask", fmt, raw.serialize(format=RESULTS_FORMATS[fmt]) or b"")
    if isinstance(raw, ox.QuerySolutions):
        body, truncated, by_bytes = _direct_results(raw, fmt, row_limit, max_bytes)
        return SerializedResult(
            "select", fmt, body, truncated, row_limit, max_bytes if by_bytes else None
        )
    if not isinstance(raw, ox.QueryTriples):
        raise TypeError(f"not a pyoxigraph query result: {raw!r}")
    kind: ResultKind = "graph"
    triples = list(itertools.islice(raw, None if row_limit is None else row_limit + 1))
    truncated = row_limit is not None and len(triples) > row_limit
    if truncated:
        del triples[row_limit:]
    unique = list(dict.fromkeys(triples))

    def render_triples(k: int) -> bytes:
        prefixes = None
        if fmt in _PREFIXED:
            # Declare only the prefixes in use, found in the N-Triples text (a C-speed search).
            plain = ox.serialize(unique[:k], format=ox.RdfFormat.N_TRIPLES) or b""
            prefixes = {p: ns for p, ns in PREFIXES.items() if f"<{ns}".encode() in plain}
        return ox.serialize(unique[:k], format=GRAPH_FORMATS[fmt], prefixes=prefixes) or b""

    sizes = [len(str(t)) + 3 for t in unique] if max_bytes is not None else [0] * len(unique)
    body, k = _fit(sizes, render_triples, max_bytes)
    cut = k < len(unique)
    return SerializedResult(
        kind, fmt, body, truncated or cut, row_limit, max_bytes if cut else None
    )
