"""``clusterkg export`` writes the whole graph even when it is far larger than the row limit.

The row limit protects interactive queries; an export is a copy of the data and must not be
cut (with ``CLUSTERKG_ROW_LIMIT=7`` the bundled graph still has thousands of triples). The
expected data is the bundled files parsed by rdflib alone, one named graph per file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from clusterkg.cli import main
from clusterkg.config import Settings
from clusterkg.store import discover, graph_iri_for

LIMIT = "7"


@pytest.fixture(scope="module")
def reference() -> Dataset:
    ds = Dataset()
    taken: set[str] = set()
    for path in discover(Settings.from_env().bundled_paths()):
        iri = graph_iri_for(Path(path), taken)
        taken.add(iri)
        ds.graph(iri).parse(path)
    return ds


def _per_iri(triples) -> Counter:
    return Counter((s, p) for s, p, _o in triples if isinstance(s, URIRef))


def _export(tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"out.{fmt}"
    res = CliRunner().invoke(
        main,
        ["export", "--format", fmt, str(out), *extra],
        env={"CLUSTERKG_ROW_LIMIT": LIMIT, "CLUSTERKG_STORE": "memory"},
    )
    assert res.exit_code == 0, res.output
    return out


def test_turtle_export_is_the_whole_merge(reference, tmp_path):
    merged = {t for g in reference.graphs() for t in g}
    assert len(merged) > 100 * int(LIMIT)
    out = Graph().parse(_export(tmp_path, "turtle"), format="turtle")
    assert len(out) == len(merged)
    # Blank node labels and some literal spellings (126.0 vs 126.0E0) differ between writers;
    # the statements about each IRI are the same in number.
    assert _per_iri(out) == _per_iri(merged)


def test_trig_export_keeps_every_graph_whole(reference, tmp_path):
    ds = Dataset()
    ds.parse(_export(tmp_path, "trig"), format="trig")
    want = {str(g.identifier): len(g) for g in reference.graphs() if len(g)}
    got = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert got == want


def test_one_named_graph_larger_than_the_limit_is_whole(reference, tmp_path):
    iri = "https://w3id.org/clusterkg/graph/regions"
    want = reference.graph(iri)
    assert len(want) > int(LIMIT)
    out = Graph().parse(_export(tmp_path, "turtle", "--graph", "regions"), format="turtle")
    assert len(out) == len(want)
    assert _per_iri(out) == _per_iri(want)
