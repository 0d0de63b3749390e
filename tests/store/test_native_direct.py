"""SPARQL JSON and XML results written in one pass (clusterkg.store.native): the row and byte
limits stay exact although no second format is parsed, including values that look like the
structure of the document (``},{`` in JSON, ``</result>`` in XML) and non-ASCII text."""

from __future__ import annotations

import pickle
from multiprocessing import Pipe

import pyoxigraph as ox
import pytest

from clusterkg.store.native import SerializedResult, serialize_result
from clusterkg.store.workers import receive_message, send_message

VALUES = ['x},{\\"y', "a},{}b", "plain", "ünï},{cödé", "tab\\there", "<result></result>"]
QUERY = "SELECT ?s ?o ?unbound WHERE { ?s <http://p> ?o } ORDER BY ?s"
FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


@pytest.fixture(scope="module")
def store():
    s = ox.Store()
    triples = " ".join(
        f'<http://s{i:03d}> <http://p> "{VALUES[i % len(VALUES)]}{i}" .' for i in range(120)
    )
    s.update("INSERT DATA { " + triples + " }")
    return s


def _rows(body: bytes, fmt: str) -> list[tuple[str, str]]:
    return [(str(r["s"]), str(r["o"])) for r in ox.parse_query_results(body, format=FORMATS[fmt])]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("row_limit", [None, 0, 1, 7, 119, 120, 121])
@pytest.mark.parametrize("max_bytes", [None, 1024, 4000])
def test_limits_exact(store, fmt, row_limit, max_bytes):
    expected = [(str(r["s"]), str(r["o"])) for r in store.query(QUERY)]
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


@pytest.mark.parametrize("fmt", ["json", "xml"])
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
