"""SPARQL JSON, XML, CSV and TSV results written in one pass (clusterkg.store.native): the row and
byte limits stay exact although no second format is parsed, including values that look like the
structure of the document (``},{`` in JSON, ``</result>`` in XML, quotes, commas and line
breaks in CSV) and non-ASCII text."""

from __future__ import annotations

import csv
import io
import pickle
from multiprocessing import Pipe

import pyoxigraph as ox
import pytest

from clusterkg.store.native import SerializedResult, _SolutionWriter, serialize_result
from clusterkg.store.workers import receive_message, send_message

VALUES = [
    'x},{\\"y',
    "a},{}b",
    "plain",
    "ünï},{cödé",
    "tab\\there",
    "<result></result>",
    # CSV quotes these (a quote doubled), and a line break in a quoted value ends no row.
    'two\\r\\nlines, \\"quoted\\"',
    '\\"\\"\\"\\n\\"',
    "\\n\\n,\\r",
    '\\"',
]
QUERY = "SELECT ?s ?o ?unbound WHERE { ?s <http://p> ?o } ORDER BY ?s"
FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: What closes a document after its last solution (a cut body ends with it too).
CLOSE = {"json": b"]}}", "xml": b"</results></sparql>", "csv": b"", "tsv": b""}


@pytest.fixture(scope="module")
def store():
    s = ox.Store()
    triples = " ".join(
        f'<http://s{i:03d}> <http://p> "{VALUES[i % len(VALUES)]}{i}" .' for i in range(120)
    )
    s.update("INSERT DATA { " + triples + " }")
    return s


def _rows(body: bytes, fmt: str) -> list[tuple[str, str]]:
    if fmt == "csv":  # values only (SPARQL 1.1 CSV), which Oxigraph does not parse back
        rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
        assert rows[0] == ["s", "o", "unbound"]
        assert all(r[2] == "" for r in rows[1:])
        return [(r[0], r[1]) for r in rows[1:]]
    parsed = ox.parse_query_results(body, format=FORMATS[fmt])
    return [(r["s"].value, r["o"].value) for r in parsed]


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("row_limit", [None, 0, 1, 7, 119, 120, 121])
@pytest.mark.parametrize("max_bytes", [None, 1024, 4000])
def test_limits_exact(store, fmt, row_limit, max_bytes):
    expected = [(r["s"].value, r["o"].value) for r in store.query(QUERY)]
    result = serialize_result(store.query(QUERY), fmt, row_limit, max_bytes)
    rows = _rows(result.body, fmt)
    assert rows == expected[: len(rows)]
    if max_bytes is not None:
        assert len(result.body) <= max_bytes
    cap = len(expected) if row_limit is None else min(row_limit, len(expected))
    if max_bytes is None:
        assert len(rows) == cap
    assert result.truncated == (len(rows) < len(expected))
    assert (result.byte_limit is not None) == (len(rows) < cap)
    # The kept solutions are Oxigraph's own bytes, a prefix of the whole document.
    whole = store.query(QUERY).serialize(format=FORMATS[fmt])
    assert result.body.endswith(CLOSE[fmt])
    assert whole.startswith(result.body[: len(result.body) - len(CLOSE[fmt])])


def _csv_row_ends(body: bytes) -> list[int]:
    """Where each CSV row after the header ends, found one character at a time."""
    ends, quoted = [], False
    for at, byte in enumerate(body):
        if byte == ord('"'):
            quoted = not quoted  # a doubled quote toggles twice
        elif byte == ord("\n") and not quoted:
            ends.append(at + 1)
    return ends[1:]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 100_000])
def test_csv_rows_are_found_whatever_the_writes(store, chunk):
    """Row ends are found however the writer splits its output (inside a doubled quote, a
    quoted line break or the row's CR LF), each byte looked at once."""
    body = store.query(QUERY).serialize(format=FORMATS["csv"])
    sink = _SolutionWriter("csv", None, None)
    for at in range(0, len(body), chunk):
        sink.write(body[at : at + chunk])
        sink.complete()
    assert sink.ends == _csv_row_ends(body)
    assert len(sink.ends) == 120


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_untouched_within_limits(store, fmt):
    """Within the limits the body is exactly what Oxigraph writes."""
    body = serialize_result(store.query(QUERY), fmt, 10_000, 50_000_000).body
    assert body == store.query(QUERY).serialize(format=FORMATS[fmt])


@pytest.mark.parametrize(
    "result",
    [
        SerializedResult("select", "json", b'{"head":{}}'),
        SerializedResult("graph", "turtle", "ünï".encode(), True, 10, 5000),
    ],
)
def test_a_written_result_crosses_the_worker_pipe_whole(result):
    parent, child = Pipe()
    try:
        send_message(child, ("ok", result))
        assert receive_message(parent) == ("ok", result)
        assert pickle.loads(pickle.dumps(result)) == result
    finally:
        parent.close()
        child.close()
