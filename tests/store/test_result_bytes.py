"""The byte ceiling of results, on real pyoxigraph results (sizes worked out by hand)."""

from __future__ import annotations

import json

import pyoxigraph as ox
from rdflib import Literal

from clusterkg.store.native import serialize_result
from clusterkg.store.results import QueryResult, cap_bytes

# Ten solutions "aaaaaaaaa0" .. "aaaaaaaaa9": in TSV a header line "?x\n" (3 bytes) and one line
# '"aaaaaaaaaN"\n' (13 bytes) per solution.
TEN = "SELECT ?x WHERE { VALUES ?x { " + " ".join(f'"aaaaaaaaa{i}"' for i in range(10)) + " } }"


def _solutions() -> ox.QuerySolutions:
    result = ox.Store().query(TEN)
    assert isinstance(result, ox.QuerySolutions)
    return result


def test_tsv_is_cut_at_the_last_whole_row_that_fits():
    # 3 + 7 * 13 = 94 <= 100 < 107 = 3 + 8 * 13: seven rows fit.
    cut = serialize_result(_solutions(), "tsv", 1000, max_bytes=100)
    assert cut.body.decode().splitlines() == ["?x"] + [f'"aaaaaaaaa{i}"' for i in range(7)]
    assert cut.truncated and cut.byte_limit == 100 and cut.row_limit == 1000


def test_a_result_that_fits_exactly_is_not_cut():
    whole = serialize_result(_solutions(), "tsv", 1000, max_bytes=3 + 10 * 13)
    assert len(whole.body) == 133
    assert not whole.truncated and whole.byte_limit is None


def test_the_row_limit_alone_does_not_claim_the_bytes():
    rows = serialize_result(_solutions(), "tsv", 4, max_bytes=1000)
    assert rows.body.count(b"\n") == 5 and rows.truncated and rows.byte_limit is None


def test_json_keeps_a_prefix_under_the_ceiling():
    cut = serialize_result(_solutions(), "json", 1000, max_bytes=300)
    assert len(cut.body) <= 300 and cut.truncated and cut.byte_limit == 300
    values = [b["x"]["value"] for b in json.loads(cut.body)["results"]["bindings"]]
    assert values == [f"aaaaaaaaa{i}" for i in range(len(values))] and 1 <= len(values) < 10


def test_a_graph_with_one_huge_literal_is_cut_before_it():
    store = ox.Store()
    # Two solutions in VALUES order: <a> with "small", then <b> with 101 characters.
    query = (
        "CONSTRUCT { ?s <http://x/p> ?o } WHERE { VALUES (?s ?i) { (<http://x/a> 1) "
        '(<http://x/b> 2) } BIND(IF(?i = 1, "small", CONCAT("x", REPLACE("0123456789", ".", '
        '"$0$0$0$0$0$0$0$0$0$0"))) AS ?o) }'
    )
    whole = serialize_result(store.query(query), "nt", 1000)
    assert len(whole.body) > 100 and not whole.truncated
    cut = serialize_result(store.query(query), "nt", 1000, max_bytes=100)
    assert cut.body == b'<http://x/a> <http://x/p> "small" .\n'
    assert cut.truncated and cut.byte_limit == 100


def test_python_written_results_are_cut_by_their_values_text():
    rows = [{"x": Literal("0123456789")} for _ in range(5)]
    result = QueryResult("select", ["x"], rows, row_limit=1000)
    cap_bytes(result, 35)  # 10 characters a row: 30 <= 35 < 40
    assert len(result.rows) == 3 and result.truncated and result.byte_limit == 35
    untouched = QueryResult("select", ["x"], list(rows[:3]), row_limit=1000)
    cap_bytes(untouched, 30)
    assert len(untouched.rows) == 3 and not untouched.truncated and untouched.byte_limit is None
