"""SHACL validation of clusterkg data with pySHACL, and reports a person can act on.

The data graph is every RDF file given (by default the ontology folder and ``graphs/``); the
shapes are ``ontology/shapes*.ttl``; the ontology is mixed into the data graph, so SHACL's
subclass-aware instance semantics (``rdfs:subClassOf*`` in ``sh:targetClass`` and ``sh:class``)
give the RDFS subclass entailment the shapes need: a shape on ``ck:Enterprise`` also checks
``ck:VehicleManufacturer``. Full RDFS inference is deliberately off: its domain and range rules
would turn a wrong reference (``ck:memberOf`` a region) into an inferred type (the region
"is" a cluster) and hide the very error the shape exists to catch. Each violation names the focus node's
label and IRI, the path, the message and the file(s) that describe the focus node.

Exit codes follow pySHACL: 0 conforms, 1 violations, 2 unusable input.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyshacl
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from clusterkg.store.graph_files import LoadError, discover, rdf_format
from clusterkg.store.rdf_formats import QUAD_FORMATS
from clusterkg.vocab import SH

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_UNUSABLE = 0, 1, 2


@dataclass
class Violation:
    """One validation result, in terms a person can act on."""

    focus: str
    label: str | None
    path: str | None
    message: str
    severity: str
    value: str | None = None
    shape: str | None = None
    files: list[str] = field(default_factory=list)

    def line(self) -> str:
        """A one-line rendering: who, which property, what is wrong, where it is written."""
        who = f"{self.label} <{self.focus}>" if self.label else f"<{self.focus}>"
        path = f" [{self.path}]" if self.path else ""
        where = f" (in {', '.join(self.files)})" if self.files else ""
        value = f" value: {self.value}" if self.value and self.value not in self.message else ""
        return f"{self.severity}: {who}{path}: {self.message}{value}{where}"


@dataclass
class ValidationReport:
    """The outcome of validating a set of files against the shapes."""

    conforms: bool
    violations: list[Violation]
    files: list[str]
    triples: int
    results_graph: Graph | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_CONFORMS if self.conforms else EXIT_VIOLATIONS

    def to_text(self) -> str:
        head = (
            f"{'Conforms' if self.conforms else 'Does not conform'}: {len(self.files)} files, "
            f"{self.triples} triples, {len(self.violations)} violations"
        )
        return "\n".join([head, *(v.line() for v in self.violations)])

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "files": self.files,
                "triples": self.triples,
                "violations": [asdict(v) for v in self.violations],
            },
            indent=2,
            ensure_ascii=False,
        )

    def to_turtle(self) -> str:
        return self.results_graph.serialize(format="turtle") if self.results_graph else ""


def shape_files(ontology_dir: Path) -> list[Path]:
    """The SHACL shape files of an ontology folder (``shapes*.ttl``)."""
    return sorted(ontology_dir.glob("shapes*.ttl"))


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The ontology folder's files that are not shapes (OWL, concept schemes, indicators)."""
    shapes = set(shape_files(ontology_dir))
    return [p for p in discover([ontology_dir]) if p not in shapes]


def parse_files(paths: Iterable[Path]) -> tuple[Graph, dict[Node, set[str]]]:
    """Parse files into one graph, remembering which files describe each subject.

    Raises :class:`LoadError` (file, line) for a file that is missing or does not parse.
    """
    graph = Graph()
    origin: dict[Node, set[str]] = defaultdict(set)
    for path in paths:
        fmt = rdf_format(path)
        part = Dataset() if fmt in QUAD_FORMATS else Graph()
        try:
            part.parse(str(path), format=fmt)
        except LoadError:
            raise
        except Exception as exc:  # rdflib raises parser-specific types; all mean unusable input
            line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
            raise LoadError(
                path, f"cannot parse: {_first_line(exc)}", line if isinstance(line, int) else None
            ) from None
        if isinstance(part, Dataset):  # validate every named graph of a TriG/N-Quads file
            merged = Graph()
            for s, p, o, _g in part.quads((None, None, None, None)):
                merged.add((s, p, o))
            part = merged
        for s in part.subjects(unique=True):
            origin[s].add(str(path))
        graph += part
    return graph, origin


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


def split_inputs(
    paths: Sequence[Path | str], ontology_dir: Path, shapes: Sequence[Path] | None
) -> tuple[list[Path], list[Path]]:
    """The shape files (given, or the ontology folder's) and the data files (never shapes).

    Raises :class:`LoadError` when there is no shape file.
    """
    shape_paths = list(shapes) if shapes is not None else shape_files(ontology_dir)
    if not shape_paths:
        raise LoadError(ontology_dir, "no shapes*.ttl file found")
    shape_set = {p.resolve() for p in shape_paths}
    return shape_paths, [p for p in discover(paths) if p.resolve() not in shape_set]


def validate_paths(
    paths: Sequence[Path | str],
    *,
    ontology_dir: Path,
    shapes: Sequence[Path] | None = None,
    root: Path | None = None,
) -> ValidationReport:
    """Validate the RDF files in ``paths`` (files or folders) against the clusterkg shapes.

    Shape files are never part of the data graph. Raises :class:`LoadError` for unusable input.
    """
    shape_paths, data_paths = split_inputs(paths, ontology_dir, shapes)
    data, origin = parse_files(data_paths)
    shapes_graph, _ = parse_files(shape_paths)
    ont_graph, _ = parse_files(ontology_files(ontology_dir))

    conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=ont_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    violations = violations_of(results, data, origin, root)
    return ValidationReport(
        bool(conforms), violations, [relative_path(p, root) for p in data_paths], len(data), results
    )


def relative_path(path: str | Path, root: Path | None) -> str:
    """``path`` relative to ``root`` where it lies below it (how reports name files), else as is."""
    p = Path(path)
    if root is not None:
        try:
            return str(p.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(p)


def _label(graph: Graph, node: Node) -> str | None:
    labels = list(graph.objects(node, RDFS.label))
    english = [lbl for lbl in labels if isinstance(lbl, Literal) and lbl.language == "en"]
    chosen = (english or labels or [None])[0]
    return str(chosen) if chosen is not None else None


def _path_text(results: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return (
            results.namespace_manager.normalizeUri(path)
            if "#" in path or "/" in path
            else str(path)
        )
    alternatives = results.value(path, SH.alternativePath)
    if alternatives is not None:
        from rdflib.collection import Collection

        return " | ".join(_path_text(results, p) or "?" for p in Collection(results, alternatives))
    return "(complex path)"


def violations_of(
    results: Graph, data: Graph, origin: dict[Node, set[str]], root: Path | None
) -> list[Violation]:
    """The person-readable violations of a SHACL results graph (either engine's), each with the
    files that state its focus node (``origin``), de-duplicated."""
    out: list[Violation] = []
    seen: set[tuple] = set()
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        if focus is None:  # SHACL 3.6.2: every result has a focus node; skip a malformed one
            continue
        path = results.value(r, SH.resultPath)
        severity = results.value(r, SH.resultSeverity)
        messages = [str(m) for m in results.objects(r, SH.resultMessage)]
        value = results.value(r, SH.value)
        shape = results.value(r, SH.sourceShape)
        key = (focus, path, tuple(sorted(messages)), value)
        if key in seen:  # the same finding reached through two shapes (e.g. via subclassing)
            continue
        seen.add(key)
        out.append(
            Violation(
                focus=str(focus),
                label=_label(data, focus),
                path=_path_text(results, path),
                message="; ".join(messages) or "violates a shape",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                value=str(value) if value is not None else None,
                shape=str(shape) if isinstance(shape, URIRef) else None,
                files=sorted(relative_path(f, root) for f in origin.get(focus, ())),
            )
        )
    out.sort(key=lambda v: (v.files, v.focus, v.path or "", v.message))
    return out
