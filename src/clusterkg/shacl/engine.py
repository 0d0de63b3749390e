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

import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from pyshacl.rdfutil import clone_blank_node
from pyshacl.rdfutil.inoculate import inoculate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from clusterkg.shacl.compiler import Check, Compiled, compile_shapes, sparql_term
from clusterkg.store.backends import _OX_FORMATS
from clusterkg.store.loader import QUAD_FORMATS, LoadError, rdf_format
from clusterkg.store.terms import ox_to_rdflib, rdflib_to_ox
from clusterkg.validate import (
    ValidationReport,
    _rel,
    _violations,
    ontology_files,
    parse_files,
    split_inputs,
    validate_paths,
)
from clusterkg.vocab import SH

MIXIN_GRAPH = ox.NamedNode("urn:clusterkg:validate:ontology-mixin")
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


class UnsupportedShapes(Exception):
    """Shapes the SPARQL engine cannot compile, when falling back to pySHACL is not allowed."""


@dataclass
class SparqlValidation:
    """A validation report and the shapes that pySHACL validated instead (shape: reason)."""

    report: ValidationReport
    fallbacks: dict[str, str] = field(default_factory=dict)


def load_store(
    data_paths: Sequence[Path], ontology: Graph
) -> tuple[ox.Store, dict[ox.NamedNode, str]]:
    """An in-memory store with each data file in its own graph, plus the ontology mix-in.

    Raises :class:`LoadError` (file, line) for a file that does not parse.
    """
    store = ox.Store()
    graphs: dict[ox.NamedNode, str] = {}
    for i, path in enumerate(data_paths):
        graph = ox.NamedNode(f"urn:clusterkg:validate:file:{i}")
        graphs[graph] = str(path)
        fmt = rdf_format(path)
        try:
            if fmt in QUAD_FORMATS:  # every graph of the file counts as the file's data
                quads = ox.parse(path=str(path), format=_OX_FORMATS[fmt])
                store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
            else:
                store.load(path=str(path), format=_OX_FORMATS[fmt], to_graph=graph)
        except SyntaxError as exc:
            raise LoadError(path, f"cannot parse: {exc.msg}", exc.lineno) from None
        except OSError as exc:
            raise LoadError(path, f"cannot read: {exc.strerror or exc}") from None
    mixin = inoculate(Graph(), ontology)
    store.load(
        mixin.serialize(format="nt", encoding="utf-8"),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=MIXIN_GRAPH,
    )
    return store, graphs


def distinct_data_triples(store: ox.Store) -> int:
    """Triples of the data files, counted once each (as rdflib's merged graph counts them)."""
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
        f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{MIXIN_GRAPH.value}>) }} }}"
    )
    return int(next(iter(store.query(query)))["n"].value)


def subclasses(store: ox.Store, cls: Node) -> list[Node]:
    """``cls`` and every class below it through ``rdfs:subClassOf*`` in the store."""
    query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {sparql_term(cls)} }}"
    rows = store.query(query, use_default_graph_as_union=True)
    found = [ox_to_rdflib(row["c"]) for row in rows]
    return found if cls in found else [cls, *found]


def run_check(store: ox.Store, check: Check) -> list[tuple[Node, Node | None, Node | None, dict]]:
    """The results of one check: (focus, value, path, other bindings), duplicates removed."""
    solutions = store.query(check.query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    out, seen = [], set()
    for row in solutions:
        bound = {n: ox_to_rdflib(row[n]) for n in names if row[n] is not None}
        focus = bound.pop("this")
        path = bound.pop("path", None) if check.value == "sparql" else None
        value = None
        if check.value == "value":
            value = bound.get("value")
        elif check.value == "focus":
            value = focus
        elif check.value == "sparql":
            value = bound.pop("value", None) or focus
        extra = {k: v for k, v in bound.items() if not k.startswith("_")}
        key = (focus, value, path, tuple(sorted(extra.items())))
        if key not in seen:
            seen.add(key)
            out.append((focus, value, path, extra))
    return out


def _message(text: Literal, bound: dict[str, Node]) -> Literal:
    """A SPARQL constraint's message with ``{?var}``/``{$var}`` replaced (SHACL 5.3.2)."""
    msg = str(text)
    for name, val in bound.items():
        msg = re.sub("{[?$]" + re.escape(name) + "}", lambda _m, v=val: str(v), msg)
    return Literal(msg)


def results_graph(shapes: Graph, checks_results: list[tuple[Check, list]]) -> Graph:
    """A SHACL validation report graph, written as pySHACL writes it."""
    vg = Graph(bind_namespaces="core")
    for prefix, ns in shapes.namespace_manager.namespaces():
        vg.namespace_manager.bind(prefix, ns)
    report = BNode()
    vg.add((report, RDF.type, SH.ValidationReport))
    cloned: dict[Node, Node] = {}

    def shape_node(node: Node | None) -> Node | None:
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
            result_path = path if path is not None else shape_node(check.path)
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
    store: ox.Store, graphs: dict[ox.NamedNode, str], focus_nodes: set[Node]
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
                    labels.add((focus, RDFS.label, ox_to_rdflib(quad.object)))
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
    store, graphs = load_store(data_paths, ont_graph)
    compiled: Compiled = compile_shapes(shapes_graph, lambda c: subclasses(store, c))
    checked = [(check, run_check(store, check)) for check in compiled.checks]
    results = results_graph(shapes_graph, checked)
    labels, origin = _focus_facts(store, graphs, {row[0] for _c, rows in checked for row in rows})
    violations = _violations(results, labels, origin, root)
    report = ValidationReport(
        not violations,
        violations,
        [_rel(p, root) for p in data_paths],
        distinct_data_triples(store),
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
