"""SHACL validation on Oxigraph: compiled shape queries over an in-memory store.

The same inputs and the same report as :func:`clusterkg.validate.validate_paths` (pySHACL):
the data files are loaded into a pyoxigraph ``Store`` (one named graph per file, so the report
can say which files describe a focus node), the ontology is mixed in exactly as pySHACL does it
(:func:`pyshacl.rdfutil.inoculate`: class and property axioms, named individuals), so
``rdf:type/rdfs:subClassOf*`` gives SHACL's instance semantics for ``sh:targetClass`` and
``sh:class``. Every (shape, constraint) compiled by :mod:`clusterkg.shacl.compiler` runs as one
query over all focus nodes at once, instead of pySHACL's per-node evaluation in Python.

A shape using a construct the compiler does not translate is validated by pySHACL (only that
shape) and named in :attr:`SparqlValidation.fallbacks`; ``allow_fallback=False`` refuses instead.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from pyshacl.rdfutil import clone_blank_node
from pyshacl.rdfutil.inoculate import inoculate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from clusterkg.errors import UnusableInput
from clusterkg.shacl.compiler import Check, Compiled, compile_shapes, sparql_term
from clusterkg.store.graph_files import LoadError, rdf_format
from clusterkg.store.rdf_formats import OXIGRAPH as _OX_FORMATS
from clusterkg.store.rdf_formats import QUAD_FORMATS
from clusterkg.store.terms import ox_to_rdflib, rdflib_to_ox
from clusterkg.validate import (
    ValidationReport,
    ontology_files,
    parse_files,
    relative_path,
    split_inputs,
    validate_paths,
    violations_of,
)
from clusterkg.vocab import SH

#: one result: (focus node, value node, result path, the row's other bindings)
Row = tuple[Node, Node | None, Node | None, dict]
#: A pyoxigraph graph name: a named graph, a blank node or the default graph.
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def _node(term: Any) -> Node:
    """The rdflib term of a bound pyoxigraph term (a bound term is never None)."""
    return cast(Node, ox_to_rdflib(term))


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    """The solutions of a SELECT ``query`` over the union of the store's graphs."""
    return cast(ox.QuerySolutions, store.query(query, use_default_graph_as_union=True))


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


class UnsupportedShapes(UnusableInput):
    """Shapes the SPARQL engine cannot compile, when falling back to pySHACL is not allowed."""


@dataclass
class SparqlValidation:
    """A validation report and the shapes that pySHACL validated instead (shape: reason)."""

    report: ValidationReport
    fallbacks: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadedData:
    """The data files in one store: the graph names that hold each file, and the mix-in."""

    store: ox.Store
    #: graph name (a named graph or the default graph) -> the data file it came from
    files: dict[GraphName, str]
    mixin: ox.NamedNode
    #: the graph holding all of the largest file, if it has exactly one (see :func:`_largest`)
    largest: GraphName | None = None


def _graph_names(store: ox.Store) -> set[GraphName]:
    names: set[GraphName] = set(store.named_graphs())
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None):
        names.add(ox.DefaultGraph())
    return names


def _load_into(store: ox.Store, path: Path, fmt: str, graph: ox.NamedNode | None = None) -> None:
    try:
        store.load(path=str(path), format=_OX_FORMATS[fmt], to_graph=graph)
    except SyntaxError as exc:
        raise LoadError(path, f"cannot parse: {exc.msg}", exc.lineno) from None
    except OSError as exc:
        raise LoadError(path, f"cannot read: {exc.strerror or exc}") from None


def _fresh(stem: str, taken: dict) -> ox.NamedNode:
    """A graph name no loaded file uses (a TriG file may name its graphs anything)."""
    i = 0
    while (name := ox.NamedNode(f"urn:clusterkg:validate:{stem}:{i}")) in taken:
        i += 1
    return name


def load_store(data_paths: Sequence[Path], ontology: Graph) -> LoadedData:
    """An in-memory store with the data files and the ontology mix-in, each file's graphs known.

    Every file is parsed by Oxigraph itself (no quad passes through Python): TriG/N-Quads
    files keep their graph names, and those names are mapped back to the file afterwards; the
    largest one goes straight into the empty store, later ones through a scratch store, so a
    graph name used by two files is noticed (and that file re-homed into a graph of its own).
    Triple files get a fresh graph each. Raises :class:`LoadError` (file, line) for a file that
    does not parse.
    """
    store = ox.Store()
    files: dict[GraphName, str] = {}
    by_size = sorted(data_paths, key=_size, reverse=True)
    for path in (p for p in by_size if rdf_format(p) in QUAD_FORMATS):
        fmt = rdf_format(path)
        if not files:
            _load_into(store, path, fmt)
            files.update((g, str(path)) for g in _graph_names(store))
            continue
        scratch = ox.Store()
        _load_into(scratch, path, fmt)
        names = _graph_names(scratch)
        if names.isdisjoint(files):
            quads = scratch.dump(format=ox.RdfFormat.N_QUADS)
            store.load(quads, format=ox.RdfFormat.N_QUADS)
            files.update((g, str(path)) for g in names)
        else:
            graph = _fresh("file", files)
            store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in scratch)
            files[graph] = str(path)
    for path in (p for p in by_size if rdf_format(p) not in QUAD_FORMATS):
        graph = _fresh("file", files)
        files[graph] = str(path)
        _load_into(store, path, rdf_format(path), graph)
    mixin = _fresh("ontology-mixin", files)
    store.load(
        # pyshacl annotates its own graph wrapper; it passes plain Graphs here itself
        inoculate(Graph(), ontology).serialize(  # type: ignore[arg-type]
            format="nt", encoding="utf-8"
        ),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=mixin,
    )
    return LoadedData(store, files, mixin, _largest(files, by_size))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _largest(files: dict, by_size: Sequence[Path]) -> GraphName | None:
    if not by_size:
        return None
    graphs = [g for g, f in files.items() if f == str(by_size[0])]
    return graphs[0] if len(graphs) == 1 else None


def distinct_data_triples(data: LoadedData) -> int:
    """Triples of the data files, counted once each (as rdflib's merged graph counts them).

    All quads minus the mix-in's minus the repeats: only the graphs other than the largest
    file's are walked (in Python), each triple looked up in the largest graph by its index, so
    a million-triple file costs one native ``len``, not a DISTINCT over all its triples.
    """
    store, big = data.store, data.largest
    seen: set[tuple] = set()
    repeats = 0
    for graph in data.files:
        if graph == big:
            continue
        for q in store.quads_for_pattern(None, None, None, graph):
            triple = (q.subject, q.predicate, q.object)
            if triple in seen or (big is not None and ox.Quad(*triple, big) in store):
                repeats += 1
            else:
                seen.add(triple)
    mixin = sum(1 for _ in store.quads_for_pattern(None, None, None, data.mixin))
    return len(store) - mixin - repeats


def subclasses(store: ox.Store, cls: Node) -> list[Node]:
    """``cls`` and every class below it through ``rdfs:subClassOf*`` in the store."""
    query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {sparql_term(cls)} }}"
    found = [_node(row["c"]) for row in _select(store, query)]
    return found if cls in found else [cls, *found]


def run_query(store: ox.Store, checks: Sequence[Check]) -> list[list[Row]]:
    """The results of checks that share one query: per check, its (focus, value, path, other
    bindings) rows, duplicates removed. A folded row belongs to a check when the check's
    ``flag`` is true or its ``count`` comparison holds for ``?_n``."""
    solutions = _select(store, checks[0].query)
    names = [v.value for v in solutions.variables]
    outs: list[list[Row]] = [[] for _ in checks]
    seen: list[set] = [set() for _ in checks]
    for row in solutions:
        bound = {n: _node(row[n]) for n in names if row[n] is not None}
        for check, out, done in zip(checks, outs, seen, strict=True):
            if not _belongs(check, bound):
                continue
            focus = bound["this"]
            path = bound.get("path") if check.value == "sparql" else None
            value = None
            if check.value == "value":
                value = bound.get("value")
            elif check.value == "focus":
                value = focus
            elif check.value == "sparql":
                value = bound.get("value") or focus
            skip = {"this", "value", "path"} if check.value == "sparql" else {"this"}
            extra = {k: v for k, v in bound.items() if k not in skip and not k.startswith("_")}
            key = (focus, value, path, tuple(sorted(extra.items())))
            if key not in done:
                done.add(key)
                out.append((focus, value, path, extra))
    return outs


def _belongs(check: Check, bound: dict[str, Node]) -> bool:
    if check.flag is not None:
        flag = bound.get(check.flag[1:])
        return isinstance(flag, Literal) and flag.toPython() is True
    if check.count is not None:
        op, n = check.count
        count = int(str(bound["_n"]))
        return count < n if op == "<" else count > n
    return True


def run_checks(store: ox.Store, checks: Sequence[Check]) -> list[list[Row]]:
    """The rows of every check, each distinct query run once, on all cores.

    Oxigraph evaluates a query without holding the GIL, so threads run queries in parallel.
    """
    batches: dict[str, list[int]] = defaultdict(list)
    for i, check in enumerate(checks):
        batches[check.query].append(i)
    groups = list(batches.values())
    workers = max(1, min(len(groups), os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(workers) as pool:
        results = pool.map(lambda idx: run_query(store, [checks[i] for i in idx]), groups)
        out: list[list[Row]] = [[] for _ in checks]
        for idx, rows in zip(groups, results, strict=True):
            for i, r in zip(idx, rows, strict=True):
                out[i] = r
    return out


def _message(text: Literal, bound: dict[str, Node]) -> Literal:
    """A SPARQL constraint's message with ``{?var}``/``{$var}`` replaced (SHACL 5.3.2)."""
    msg = str(text)
    for name, val in bound.items():
        msg = _substitute(msg, name, str(val))
    return Literal(msg)


def _substitute(msg: str, name: str, value: str) -> str:
    # A function, not a replacement string, so that backslashes in the value stay as they are.
    return re.sub("{[?$]" + re.escape(name) + "}", lambda _m: value, msg)


def results_graph(shapes: Graph, checks_results: list[tuple[Check, list]]) -> Graph:
    """A SHACL validation report graph, written as pySHACL writes it."""
    vg = Graph(bind_namespaces="core")
    for prefix, ns in shapes.namespace_manager.namespaces():
        vg.namespace_manager.bind(prefix, ns)
    report = BNode()
    vg.add((report, RDF.type, SH.ValidationReport))
    cloned: dict[Node, Node] = {}

    def shape_node(node: Node) -> Node:
        if isinstance(node, BNode):
            if node not in cloned:
                cloned[node] = clone_blank_node(shapes, node, vg, keepid=True)
            return cloned[node]
        return node

    conforms = True
    for check, rows in checks_results:
        for focus, value, path, extra in rows:
            conforms = False
            r = BNode()
            vg.add((report, SH.result, r))
            vg.add((r, RDF.type, SH.ValidationResult))
            vg.add((r, SH.sourceConstraintComponent, SH[check.component]))
            vg.add((r, SH.sourceShape, shape_node(check.shape)))
            vg.add((r, SH.resultSeverity, check.severity))
            vg.add((r, SH.focusNode, focus))
            if value is not None:
                vg.add((r, SH.value, value))
            if path is not None:
                result_path: Node | None = path
            else:
                result_path = shape_node(check.path) if check.path is not None else None
            if result_path is not None:
                vg.add((r, SH.resultPath, result_path))
            if check.source_constraint is not None:
                vg.add((r, SH.sourceConstraint, shape_node(check.source_constraint)))
            bound = {"this": focus, **({"path": path} if path is not None else {})}
            bound.update({"value": value} if value is not None else {})
            bound.update(extra)
            for m in check.messages:
                vg.add((r, SH.resultMessage, _message(m, bound) if check.substitute else m))
    vg.add((report, SH.conforms, Literal(conforms)))
    return vg


def _focus_facts(
    store: ox.Store, graphs: dict[GraphName, str], focus_nodes: set[Node]
) -> tuple[Graph, dict[Node, set[str]]]:
    """The labels of the focus nodes and the data files that describe each of them."""
    labels, origin = Graph(), defaultdict(set)
    label = ox.NamedNode(str(RDFS.label))
    for focus in focus_nodes:
        if isinstance(focus, Literal):
            continue
        for quad in store.quads_for_pattern(rdflib_to_ox(focus), None, None, None):
            if quad.graph_name in graphs:
                origin[focus].add(graphs[quad.graph_name])
                if quad.predicate == label:
                    labels.add((focus, RDFS.label, _node(quad.object)))
    return labels, origin


def _without_targets(shapes: Graph, keep: set[Node]) -> Graph:
    """A copy of ``shapes`` in which only the shapes in ``keep`` still select focus nodes."""
    reduced = Graph()
    for prefix, ns in shapes.namespace_manager.namespaces():
        reduced.bind(prefix, ns)
    owl_class = URIRef("http://www.w3.org/2002/07/owl#Class")
    for s, p, o in shapes:
        if s not in keep and (p in _TARGETS or (p == RDF.type and o in (RDFS.Class, owl_class))):
            continue
        reduced.add((s, p, o))
    return reduced


def validate_paths_sparql(
    paths: Sequence[Path | str],
    *,
    ontology_dir: Path,
    shapes: Sequence[Path] | None = None,
    root: Path | None = None,
    allow_fallback: bool = True,
) -> SparqlValidation:
    """Validate like :func:`clusterkg.validate.validate_paths`, with compiled SPARQL queries.

    Raises :class:`LoadError` for unusable input and :class:`UnsupportedShapes` when a shape
    cannot be compiled and ``allow_fallback`` is false.
    """
    shape_paths, data_paths = split_inputs(paths, ontology_dir, shapes)
    shapes_graph, _ = parse_files(shape_paths)
    unsupported = compile_shapes(shapes_graph).unsupported
    fallbacks = {str(s): why for s, why in unsupported.items()}
    if fallbacks and not allow_fallback:
        raise UnsupportedShapes(
            "cannot compile to SPARQL: " + "; ".join(f"{s}: {w}" for s, w in fallbacks.items())
        )
    ont_graph, _ = parse_files(ontology_files(ontology_dir))
    data = load_store(data_paths, ont_graph)
    store = data.store
    compiled: Compiled = compile_shapes(shapes_graph, lambda c: subclasses(store, c))
    checked = list(zip(compiled.checks, run_checks(store, compiled.checks), strict=True))
    results = results_graph(shapes_graph, checked)
    labels, origin = _focus_facts(
        store, data.files, {row[0] for _c, rows in checked for row in rows}
    )
    violations = violations_of(results, labels, origin, root)
    report = ValidationReport(
        not violations,
        violations,
        [relative_path(p, root) for p in data_paths],
        distinct_data_triples(data),
        results,
    )
    if fallbacks:
        report = _merge(report, _pyshacl_for(compiled, shapes_graph, paths, ontology_dir, root))
    return SparqlValidation(report, fallbacks)


def _pyshacl_for(
    compiled: Compiled,
    shapes_graph: Graph,
    paths: Sequence[Path | str],
    ontology_dir: Path,
    root: Path | None,
) -> ValidationReport:
    reduced = _without_targets(shapes_graph, set(compiled.unsupported))
    with tempfile.TemporaryDirectory() as tmp:
        shapes_file = Path(tmp) / "shapes-fallback.ttl"
        reduced.serialize(shapes_file, format="turtle")
        return validate_paths(paths, ontology_dir=ontology_dir, shapes=[shapes_file], root=root)


def _merge(ours: ValidationReport, theirs: ValidationReport) -> ValidationReport:
    seen = {(v.focus, v.path, v.message, v.value) for v in ours.violations}
    extra = [v for v in theirs.violations if (v.focus, v.path, v.message, v.value) not in seen]
    violations = sorted(
        ours.violations + extra, key=lambda v: (v.files, v.focus, v.path or "", v.message)
    )
    graph = ours.results_graph
    if graph is not None and theirs.results_graph is not None:
        graph += theirs.results_graph
    return ValidationReport(
        ours.conforms and theirs.conforms, violations, ours.files, ours.triples, graph
    )
