"""Running W3C SPARQL test manifests against the HTTP endpoint, and comparing results.

Result comparison follows the W3C test rules (https://www.w3.org/2009/sparql/docs/tests/):
solutions are compared as multisets, in order only when the query has ORDER BY, with blank
nodes equal up to a consistent renaming (isomorphism); graph results by RDF graph isomorphism.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql.results.rdfresults import RDFResultParser
from rdflib.query import Result

from clusterkg.store.sparql_text import code_only as _code_only

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
RDF_SUFFIX = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".n3": "n3"}
RESULT_PARSER = {".srx": "xml", ".srj": "json", ".csv": "csv", ".tsv": "tsv"}
RESULT_ACCEPT = {
    ".srx": "application/sparql-results+json",
    ".srj": "application/sparql-results+json",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
}
EMPTY_GRAPH = "urn:clusterkg:w3c:empty"
NUMERIC = {
    str(XSD[t])
    for t in (
        "integer",
        "decimal",
        "float",
        "double",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}


def entries(manifest: Path) -> tuple[Graph, list[URIRef]]:
    g = Graph().parse(manifest, format="turtle")
    root = next(g.subjects(RDF.type, MF.Manifest))
    return g, list(Collection(g, g.value(root, MF.entries)))


def path_of(node) -> Path:
    return Path(str(node).removeprefix("file://"))


@dataclass
class EvalTest:
    """One query-evaluation test: its files and the expected result."""

    name: str
    suite: str
    query: Path
    data: list[Path]
    graph_data: list[Path]
    result: Path | None
    approved: bool = True


@dataclass
class Outcome:
    test: EvalTest
    passed: bool
    reason: str = ""
    extra: dict = field(default_factory=dict)


def eval_tests(suite_dir: Path) -> list[EvalTest]:
    """The query-evaluation tests of one suite folder, in manifest order."""
    g, items = entries(suite_dir / "manifest.ttl")
    out = []
    for item in items:
        kinds = set(g.objects(item, RDF.type))
        if not kinds & {MF.QueryEvaluationTest, MF.CSVResultFormatTest}:
            continue
        if g.value(item, DAWGT.approval) == DAWGT.Withdrawn:
            continue
        action = g.value(item, MF.action)
        result = g.value(item, MF.result)
        out.append(
            EvalTest(
                name=f"{suite_dir.name}/{item.split('#')[-1]}",
                suite=suite_dir.name,
                query=path_of(g.value(action, QT.query)),
                data=[path_of(d) for d in g.objects(action, QT.data)],
                graph_data=[path_of(d) for d in g.objects(action, QT.graphData)],
                result=path_of(result) if result is not None else None,
            )
        )
    return out


def reset_and_load(kg, files: list[tuple[Path, str]]) -> None:
    """Empty the store and load each ``(file, graph IRI)``."""
    kg.backend.update("DROP SILENT ALL")
    for path, graph in files:
        kg.backend.load_file(path, RDF_SUFFIX[path.suffix], graph)


def _num(term) -> object:
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in NUMERIC:
        try:
            return ("num", Decimal(str(term).strip()))
        except InvalidOperation:
            return ("lex", str(term), str(term.datatype))
    return term


def _key(term, bmap: dict | None = None):
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("b", bmap.get(term) if bmap is not None else None)
    return _num(term)


def same_solutions(expected: list[dict], actual: list[dict], ordered: bool) -> bool:
    """Multiset (or list) equality of solutions with blank nodes up to renaming."""
    if len(expected) != len(actual):
        return False
    has_bnodes = any(isinstance(v, BNode) for row in expected + actual for v in row.values())
    if not has_bnodes:
        e = [frozenset((k, _key(v)) for k, v in r.items()) for r in expected]
        a = [frozenset((k, _key(v)) for k, v in r.items()) for r in actual]
        return e == a if ordered else Counter(e) == Counter(a)
    # Blank nodes: first compare with every blank node alike, then search a consistent renaming.
    shape = lambda r: frozenset((k, _key(v)) for k, v in r.items())  # noqa: E731
    if Counter(map(shape, expected)) != Counter(map(shape, actual)):
        return False
    return _match(expected, list(actual), {}, {})


def _match(expected, remaining, fwd, back) -> bool:
    if not expected:
        return True
    row, rest = expected[0], expected[1:]
    for i, cand in enumerate(remaining):
        if set(row) != set(cand):
            continue
        f, b, ok = dict(fwd), dict(back), True
        for k, v in row.items():
            w = cand[k]
            if isinstance(v, BNode) and isinstance(w, BNode):
                if f.setdefault(v, w) != w or b.setdefault(w, v) != v:
                    ok = False
                    break
            elif _key(v) != _key(w):
                ok = False
                break
        if ok and _match(rest, remaining[:i] + remaining[i + 1 :], f, b):
            return True
    return False


def rows_of(result: Result) -> list[dict]:
    return [{str(k): v for k, v in b.items() if v is not None} for b in result.bindings]


def has_order_by(query: str) -> bool:
    return bool(re.search(r"ORDER\s+BY", _code_only(query), re.IGNORECASE))


def run_eval(test: EvalTest, kg, session, url: str) -> Outcome:
    """Load the test's data, send its query over HTTP, compare with the expected result."""
    # Relative IRIs in a test query resolve against the query file (the W3C runners' base).
    text = f"BASE <{test.query.as_uri()}>\n" + test.query.read_text(encoding="utf-8")
    files = [(p, p.as_uri()) for p in test.data] + [(p, p.as_uri()) for p in test.graph_data]
    reset_and_load(kg, files)
    params: list[tuple[str, str]] = [("query", text)]
    code = _code_only(text)
    if not re.search(r"\bFROM\b", code, re.IGNORECASE):
        # The test's dataset goes through the protocol: data files form the default graph,
        # graphData files the named graphs (nothing else is visible).
        params += [("default-graph-uri", p.as_uri()) for p in test.data] or [
            ("default-graph-uri", EMPTY_GRAPH)
        ]
        params += [("named-graph-uri", p.as_uri()) for p in test.graph_data] or [
            ("named-graph-uri", EMPTY_GRAPH)
        ]
    suffix = test.result.suffix if test.result else ".srx"
    accept = RESULT_ACCEPT.get(suffix, "text/turtle, application/sparql-results+json;q=0.9")
    resp = session.post(f"{url}/sparql", data=params, headers={"Accept": accept}, timeout=60)
    if resp.status_code != 200:
        return Outcome(test, False, f"HTTP {resp.status_code}: {resp.text[:200]}")
    if suffix in (".ttl", ".rdf", ".nt"):
        expected = Graph().parse(
            test.result, format=RDF_SUFFIX[suffix], publicID=test.result.as_uri()
        )
        if (None, RDF.type, RS.ResultSet) in expected:
            return _compare(test, text, RDFResultParser().parse(expected), resp)
        actual = Graph().parse(data=resp.content, format="turtle")
        ok = isomorphic(expected, actual)
        return Outcome(test, ok, "" if ok else "graphs are not isomorphic")
    with test.result.open("rb") as f:
        expected = Result.parse(f, format=RESULT_PARSER[suffix])
    return _compare(test, text, expected, resp)


def _compare(test: EvalTest, text: str, expected: Result, resp) -> Outcome:
    ctype = resp.headers["Content-Type"].split(";")[0]
    actual_format = {"text/csv": "csv", "text/tab-separated-values": "tsv"}.get(ctype, "json")
    actual = Result.parse(io.BytesIO(resp.content), format=actual_format)
    if expected.type == "ASK" or actual.type == "ASK":
        ok = expected.askAnswer == actual.askAnswer
        return Outcome(test, ok, "" if ok else f"boolean {actual.askAnswer}")
    ok = same_solutions(rows_of(expected), rows_of(actual), has_order_by(text))
    reason = "" if ok else (f"{len(actual.bindings)} solutions, expected {len(expected.bindings)}")
    return Outcome(test, ok, reason)


def known_failures(path: Path) -> dict[str, str]:
    """``suite/test  reason`` lines of the known-failures file (``#`` starts a comment)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, reason = line.partition(" ")
            out[name] = reason.strip()
    return out
