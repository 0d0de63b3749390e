"""The compiled SPARQL engine at the exact boundaries of each value and count constraint,
against pySHACL (the reference implementation) and against the SHACL spec worked by hand.

For each constraint a focus node holds a value one below, exactly at and one above the bound
(for counts: one fewer, exactly, one more values). SHACL 1.0 section 4: ``minLength``/
``maxLength`` and ``minInclusive``/``maxInclusive`` accept the bound itself, ``minExclusive``/
``maxExclusive`` refuse it, ``minCount``/``maxCount`` accept exactly the count.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import SH

from clusterkg.config import Settings
from clusterkg.shacl import validate_paths_sparql

EX = Namespace("http://example.org/b#")

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/b#> .
"""
DATA = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/b#> .
"""

# constraint, bound, path, [(node suffix, values)], suffixes that violate (worked by hand)
CASES = [
    ("minLength", "3", "text", [("2", ['"ab"']), ("3", ['"abc"']), ("4", ['"abcd"'])], {"2"}),
    ("maxLength", "5", "text", [("4", ['"abcd"']), ("5", ['"abcde"']), ("6", ['"abcdef"'])], {"6"}),
    ("minInclusive", "10", "num", [("9", ["9"]), ("10", ["10"]), ("11", ["11"])], {"9"}),
    ("maxInclusive", "20", "num", [("19", ["19"]), ("20", ["20"]), ("21", ["21"])], {"21"}),
    ("minExclusive", "10", "num", [("9", ["9"]), ("10", ["10"]), ("11", ["11"])], {"9", "10"}),
    ("maxExclusive", "20", "num", [("19", ["19"]), ("20", ["20"]), ("21", ["21"])], {"20", "21"}),
    # The same bounds met by decimals just either side and by a decimal equal to the bound.
    ("minInclusive", "10", "dec", [("lo", ["9.99"]), ("eq", ["10.0"]), ("hi", ["10.01"])], {"lo"}),
    ("maxExclusive", "20", "dec", [("lo", ["19.99"]), ("eq", ["20.0"]), ("hi", ["20.01"])], {"eq", "hi"}),
    ("minCount", "2", "item", [("1", ["1"]), ("2", ["1", "2"]), ("3", ["1", "2", "3"])], {"1"}),
    ("maxCount", "3", "item", [("2", ["1", "2"]), ("3", ["1", "2", "3"]), ("4", ["1", "2", "3", "4"])], {"4"}),
]  # fmt: skip


def _build(tmp_path: Path) -> tuple[Path, Path, set[tuple[str, str]]]:
    shapes, data, expected = [SHAPES], [DATA], set()
    for i, (constraint, bound, path, nodes, bad) in enumerate(CASES):
        cls = f"ex:T{i}"
        shapes.append(
            f"ex:S{i} a sh:NodeShape ; sh:targetClass {cls} ;\n"
            # The compiler needs a message (the shipped shapes all have one).
            f"  sh:property [ sh:path ex:{path} ; sh:{constraint} {bound} ;\n"
            f'    sh:message "{constraint} {bound}" ] .\n'
        )
        for suffix, values in nodes:
            node = f"n{i}-{constraint}-{suffix}"
            data.append(f"ex:{node} a {cls} ; ex:{path} {' , '.join(values)} .\n")
            if suffix in bad:
                expected.add((str(EX[node]), str(EX[path])))
    shapes_path, data_path = tmp_path / "shapes.ttl", tmp_path / "data.ttl"
    shapes_path.write_text("".join(shapes), encoding="utf-8")
    data_path.write_text("".join(data), encoding="utf-8")
    return shapes_path, data_path, expected


def _pyshacl(shapes_path: Path, data_path: Path) -> set[tuple[str, str]]:
    conforms, results, _text = pyshacl.validate(
        Graph().parse(data_path), shacl_graph=Graph().parse(shapes_path)
    )
    return {
        (str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultPath)))
        for r in results.subjects(SH.resultSeverity, SH.Violation)
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("boundaries"))


def test_hand_worked_expectation_matches_pyshacl(built):
    shapes_path, data_path, expected = built
    assert _pyshacl(shapes_path, data_path) == expected


def test_compiled_engine_matches_pyshacl_at_every_boundary(built):
    shapes_path, data_path, expected = built
    fast = validate_paths_sparql(
        [data_path],
        ontology_dir=Settings.from_env().ontology_dir,
        shapes=[shapes_path],
        allow_fallback=False,
    )
    assert fast.fallbacks == {}
    got = {(v.focus, v.path) for v in fast.report.violations}
    # The report writes a path IRI without a known prefix as <IRI>.
    got = {(f, p.strip("<>")) for f, p in got}
    assert got == expected
    assert not fast.report.conforms
