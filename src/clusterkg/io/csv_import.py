"""``clusterkg import``: an analyst's CSV file -> a validated, provenanced named graph.

Steps, and nothing is written unless all pass:

1. read the file (UTF-8 with or without BOM; comma or semicolon, found by :class:`csv.Sniffer`);
2. per row: required columns, types, ranges, units, duplicates, references (resolved against
   the other rows and the existing graph by IRI, label or alias);
3. SHACL (pySHACL, ``ontology/shapes*.ttl``) over the merged result: the new triples plus
   what the graph already says about every node they mention, with the ontology;
4. write atomically: ``--into FILE`` (temporary file + :func:`os.replace`) or ``--store``
   (one Oxigraph transaction / one SPARQL update request).

Any problem raises :class:`ImportFailed` with every bad row (row, column, value, reason).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from clusterkg.config import Settings
from clusterkg.errors import Finding, UnusableInput
from clusterkg.io.atomic import TargetBusy, import_lock, pause_before_commit, write_bytes_atomic
from clusterkg.io.csv_read import RowError, read_table
from clusterkg.io.references import Resolver, ontology_graph
from clusterkg.io.rows import (
    Build,
    RowReader,
    build_enterprise,
    build_item,
    build_membership,
    build_observation,
    build_policy,
    build_region,
    build_supply_link,
    plan_enterprise,
    plan_item,
    plan_region,
    slug,
)
from clusterkg.io.templates import BUILT_AS, PRIVATE_KINDS, TEMPLATES, for_register
from clusterkg.store.backends import Backend, BackendError, open_backend
from clusterkg.store.graph_files import LoadError
from clusterkg.store.kg import KnowledgeGraph, open_kg
from clusterkg.store.query_engine import QueryEngine, QueryError
from clusterkg.vocab import CK, GRAPH, ID, PREFIXES, SCHEMA

KINDS = tuple(TEMPLATES)
#: Kinds whose rows name nodes that other rows of the same file may refer to (a parent
#: company, a broader item, a parent region further down): built in two passes.
_TWO_PASS = {
    "enterprises": (plan_enterprise, build_enterprise),
    "items": (plan_item, build_item),
    "regions": (plan_region, build_region),
}

#: Which column a SHACL result on a property most likely concerns, for the report.
_PROPERTY_COLUMN = {
    str(RDFS.label): "name_en",
    str(CK.quote): "quote",
    str(CK.locatedIn): "region",
    str(CK.memberOf): "cluster",
    str(CK.sector): "sector",
    str(CK.subsidiaryOf): "parent",
    str(CK.supplier): "supplier",
    str(CK.customer): "customer",
    str(CK.suppliedItem): "item",
    str(CK.annualValueCNY): "annual_value_cny",
    str(CK.indicator): "indicator",
    str(CK.refArea): "area",
    str(CK.value): "value",
    str(CK.unit): "unit",
    str(CK.issuedBy): "issued_by",
    str(CK.targets): "targets",
    str(DCTERMS.issued): "issued",
    str(SKOS.broader): "broader",
    str(SKOS.notation): "code",
    str(CK.partOf): "parent",
}


class ImportFailed(Finding):
    """The file cannot be imported; ``errors`` lists every bad row. Nothing was written."""

    def __init__(self, path: Path | str, errors: Sequence[RowError]) -> None:
        self.path = Path(path)
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__(self.report())

    @property
    def rows(self) -> list[int]:
        """The numbers of the bad rows, each once, in order."""
        return sorted({e.row for e in self.errors})

    def report(self) -> str:
        """The person-readable report: one line per problem, then the totals."""
        lines = [f"{self.path.name}: {e}" for e in self.errors]
        lines.append(
            f"{len(self.errors)} problem(s) in {len(self.rows)} row(s) of "
            f"{self.path.name}; nothing was written"
        )
        return "\n".join(lines)


@dataclass
class ImportResult:
    """A validated import: its graph (triples to add), where it goes, and what it adds."""

    path: Path
    kind: str
    graph: Graph
    graph_iri: str
    source: str
    sha256: str
    rows: int
    added: dict[str, int] = field(default_factory=dict)
    target: str = ""
    shacl: str = ""
    note: str = ""

    def summary(self) -> str:
        """One paragraph saying what was added and where."""
        what = ", ".join(f"{n} {k}" for k, n in sorted(self.added.items())) or "nothing"
        where = self.target or "nowhere (no --into or --store: checked only)"
        return (
            f"{self.path.name}: {self.rows} rows of {self.kind} -> {len(self.graph)} triples "
            f"({what}) in graph <{self.graph_iri}>, source <{self.source}>; "
            f"SHACL: {self.shacl}; written to {where}"
        ) + (f"\nnote: {self.note}" if self.note else "")


# ----------------------------------------------------------------------------------------
# Context: what the file's references are resolved against
# ----------------------------------------------------------------------------------------
def context_engines(
    settings: Settings, backend: Backend | None, into: Path | None
) -> tuple[list[QueryEngine], KnowledgeGraph | None]:
    """Query engines over the existing graph: the target store and/or the bundled data.

    A target store that already holds the ontology graph is the whole context; otherwise the
    bundled ontology and graphs (and the ``--into`` file, when it is outside ``graphs/``) are
    read into a separate in-memory store, so that nothing is written to the target before the
    import is valid.
    """
    engines: list[QueryEngine] = []
    if backend is not None:
        engines.append(QueryEngine(backend, timeout=600, row_limit=10_000_000))
        if str(GRAPH["clusterkg"]) in backend.graph_names():
            return engines, None
    extra: list[Path] = []
    if into is not None and into.exists():
        try:
            into.resolve().relative_to(settings.graphs_dir.resolve())
        except ValueError:
            extra.append(into)
    memory = Settings.from_env(
        root=settings.root, store="memory", query_timeout=600, row_limit=10_000_000
    )
    kg = open_kg(memory, extra=extra)
    engines.append(kg.engine)
    return engines, kg


# ----------------------------------------------------------------------------------------
# The import itself
# ----------------------------------------------------------------------------------------
def build_graph(
    data: bytes,
    kind: str,
    resolver: Resolver,
    source: URIRef,
    indicator_units: dict[str, str | None],
    membership_exists,
    *,
    private_register: bool = False,
) -> tuple[Build, int, list[RowError]]:
    """Rows -> triples of ``kind``; returns the build, the number of data rows and errors.

    Rows of a ``private_register`` need no quote where the kind allows it
    (:func:`clusterkg.io.templates.for_register`).
    """
    template = TEMPLATES[kind]
    if private_register:
        template = for_register(template)
    kind = BUILT_AS[kind]
    table, errors = read_table(data, template.names)
    if table is None:
        return Build(Graph(), source, resolver), 0, errors
    missing = [c.name for c in template.columns if c.required and c.name not in table.header]
    for name in missing:
        errors.append(RowError(1, name, "", "required column missing from the header"))
    if any(e.row == 1 for e in errors):
        return Build(Graph(), source, resolver), len(table.rows), errors
    build = Build(Graph(), source, resolver)
    readers = [RowReader(template, n, cells, resolver) for n, cells in table.rows]
    if kind in _TWO_PASS:
        plan, build_row = _TWO_PASS[kind]
        planned = [(r, plan(build, r)) for r in readers]
        for r, node in planned:
            if node is not None:
                build_row(build, r, node)
    else:
        for r in readers:
            if kind == "supply-links":
                build_supply_link(build, r)
            elif kind == "observations":
                build_observation(build, r, indicator_units)
            elif kind == "memberships":
                build_membership(build, r, membership_exists)
            else:
                build_policy(build, r)
    for r in readers:
        errors.extend(r.errors)
    return build, len(table.rows), errors


def _indicator_units(engines: Sequence[QueryEngine]) -> dict[str, str | None]:
    units: dict[str, str | None] = {}
    q = f"SELECT ?i ?u WHERE {{ ?i a <{CK.Indicator}> OPTIONAL {{ ?i <{CK.unit}> ?u }} }}"
    for engine in engines:
        for row in engine.query(q, row_limit=None).rows:
            units[str(row["i"])] = str(row["u"]) if "u" in row else None
    return units


def _membership_checker(engines: Sequence[QueryEngine]):
    def exists(member: URIRef, cluster: URIRef) -> bool:
        q = f"ASK {{ ?m <{CK.memberOf}> ?c }}"
        return any(e.query(q, bindings={"m": member, "c": cluster}).boolean for e in engines)

    return exists


def provenance(
    graph: Graph,
    source: URIRef,
    *,
    title: str,
    file_name: str,
    sha256: str,
    rows: int,
    when: datetime,
    private_register: bool = False,
) -> None:
    """Describe the import as a ck:SourceDocument: title, file name, sha256, time, rows.

    A ``private_register`` (an internal supplier list) is also a ck:PrivateRegister: its facts
    carry no quote, and queries tell them from the curated, quoted facts by this class.
    """
    graph.add((source, RDF.type, CK.SourceDocument))
    if private_register:
        graph.add((source, RDF.type, CK.PrivateRegister))
    graph.add((source, RDFS.label, Literal(title, lang="en")))
    graph.add((source, DCTERMS.title, Literal(title)))
    graph.add((source, SCHEMA.name, Literal(file_name)))
    graph.add((source, DCTERMS.identifier, Literal(f"sha256:{sha256}")))
    graph.add(
        (
            source,
            DCTERMS.created,
            Literal(when.isoformat(timespec="seconds"), datatype=XSD.dateTime),
        )
    )
    graph.add((source, DCTERMS.extent, Literal(rows)))
    graph.add((source, DCTERMS.format, Literal("text/csv")))


def shacl_problems(
    build: Build, engines: Sequence[QueryEngine], settings: Settings, ontology: Graph
) -> tuple[list[RowError], str]:
    """SHACL over the new triples merged with what the graph says about the nodes they use.

    Only results about nodes the file's rows made or changed count; they are reported
    against those rows. Returns the errors and a short status text.
    """
    import pyshacl

    from clusterkg.validate import parse_files, shape_files

    shapes = shape_files(settings.ontology_dir)
    if not shapes:
        return [], "skipped (no ontology/shapes*.ttl)"
    data = Graph()
    data += build.graph
    nodes = {s for s in build.graph.subjects() if isinstance(s, URIRef)}
    nodes |= {o for _s, p, o in build.graph if isinstance(o, URIRef) and p != RDF.type}
    _add_described(data, nodes, engines, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    # One hop further, types only: sh:class on an existing node's links needs their classes.
    further = {o for _s, p, o in data if isinstance(o, URIRef) and p != RDF.type} - nodes
    _add_described(data, further, engines, "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }")
    # The class hierarchy is materialised on the typed nodes instead of mixing the whole
    # ontology into the data graph: same sh:class/targetClass answers, and pySHACL's SPARQL
    # constraints then run over a few hundred triples rather than the ontology too.
    for node, cls in list(data.subject_objects(RDF.type)):
        for sup in ontology.transitive_objects(cls, RDFS.subClassOf):
            if sup is not None:
                data.add((node, RDF.type, sup))
    shapes_graph, _ = parse_files(shapes)
    _conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    from clusterkg.vocab import SH

    errors = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(r, SH.resultSeverity) != SH.Violation:
            continue
        focus = str(results.value(r, SH.focusNode))
        row = build.row_of.get(focus)
        if row is None:
            continue
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        message = "; ".join(str(m) for m in results.objects(r, SH.resultMessage))
        errors.append(
            RowError(
                row,
                _PROPERTY_COLUMN.get(str(path), ""),
                str(value) if value is not None else "",
                f"SHACL: {message or 'violates a shape'} ({focus})",
            )
        )
    status = f"conforms ({len(shapes)} shape file(s))" if not errors else "violations"
    return errors, status


def _add_described(data: Graph, nodes, engines: Sequence[QueryEngine], query: str) -> None:
    for node in nodes:
        for engine in engines:
            for t in engine.query(query, bindings={"s": node}, row_limit=None).triples:
                data.add(t)


def prepare_import(
    path: Path | str,
    kind: str,
    settings: Settings,
    *,
    source_title: str | None = None,
    backend: Backend | None = None,
    into: Path | None = None,
    data: bytes | None = None,
    private_register: bool = False,
) -> ImportResult:
    """Read, check and convert a CSV file; raise :class:`ImportFailed` with every bad row.

    ``private_register``: the file is an internal register (kind ``register-links`` always is).
    """
    path = Path(path)
    if kind not in TEMPLATES:
        raise ImportFailed(
            path, [RowError(0, "", kind, f"unknown kind; use one of {', '.join(KINDS)}")]
        )
    private_register = private_register or kind in PRIVATE_KINDS
    if data is None:
        check_input_file(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnusableInput(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not data.strip():
        raise UnusableInput(f"{path}: the file is empty (no header row)")
    sha = hashlib.sha256(data).hexdigest()
    source = URIRef(ID[f"source/import-{sha[:16]}"])
    engines, memory_kg = context_engines(settings, backend, into)
    try:
        ontology = ontology_graph(settings)
        resolver = Resolver(engines, ontology)
        if resolver.types_of(str(source)) is not None:
            raise ImportFailed(
                path,
                [RowError(0, "", sha[:16], f"this file was already imported (source <{source}>)")],
            )
        build, rows, errors = build_graph(
            data,
            kind,
            resolver,
            source,
            _indicator_units(engines),
            _membership_checker(engines),
            private_register=private_register,
        )
        if not errors and rows == 0:
            errors.append(RowError(2, "", "", "no data rows below the header"))
        if errors:
            raise ImportFailed(path, errors)
        title = source_title or f"Import of {path.name}"
        provenance(
            build.graph,
            source,
            title=title,
            file_name=path.name,
            sha256=sha,
            rows=rows,
            when=datetime.now(timezone.utc),
            private_register=private_register,
        )
        shacl_errors, status = shacl_problems(build, engines, settings, ontology)
        if shacl_errors:
            raise ImportFailed(path, shacl_errors)
    except QueryError as exc:
        raise ImportFailed(path, [RowError(0, "", "", f"the store failed: {exc}")]) from None
    finally:
        if memory_kg is not None:
            memory_kg.close()
    graph_iri = (
        str(GRAPH[into.stem])
        if into is not None
        else str(GRAPH[f"import-{slug(path.stem)}-{sha[:8]}"])
    )
    return ImportResult(
        path, kind, build.graph, graph_iri, str(source), sha, rows, build.added, shacl=status
    )


def turtle(graph: Graph) -> bytes:
    """The graph as Turtle with the clusterkg prefixes."""
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    out += graph
    return out.serialize(format="turtle").encode("utf-8")


def write_into_file(result: ImportResult, target: Path) -> None:
    """Append the import to a Turtle file, atomically; the old content stays byte for byte."""
    old = target.read_bytes() if target.exists() else b""
    header = (
        f"\n# clusterkg import of {result.path.name} (sha256 {result.sha256}), "
        f"{len(result.graph)} triples\n"
    ).encode()
    write_bytes_atomic(target, old + (header if old else header.lstrip()) + turtle(result.graph))
    result.target = str(target)


def write_into_store(result: ImportResult, backend: Backend) -> None:
    """Add the import's graph to a store in one transaction (one update request)."""
    if result.graph_iri in backend.graph_names():
        raise ImportFailed(
            result.path, [RowError(0, "", result.graph_iri, "the store already has this graph")]
        )
    # The store's default graph is the merge of its named graphs (store.backends); one
    # INSERT DATA adds to both, so readers see all of the import or none of it.
    if str(GRAPH["clusterkg"]) not in backend.graph_names():
        # serve/analyze load the bundled graphs only into an empty folder; after this write
        # the folder is not empty, so the regions, items and curated network would be missing.
        result.note = (
            f"{backend.spec} holds no bundled graphs (the ontology, regions, curated network); "
            "add them with 'clusterkg load DIR' (serve and analyze load them only into an "
            "empty folder)"
        )
    nt = result.graph.serialize(format="nt")
    pause_before_commit(backend.spec)
    backend.update(f"INSERT DATA {{ {nt} GRAPH <{URIRef(result.graph_iri)}> {{ {nt} }} }}")
    result.target = backend.spec


def write_result(result: ImportResult, into: Path | None, backend: Backend | None) -> None:
    """Write a checked import into the Turtle file ``into``, else into ``backend``; with
    neither the import was only checked and nothing is written."""
    if into is not None:
        write_into_file(result, into)
    elif backend is not None:
        write_into_store(result, backend)


def check_input_file(path: Path) -> None:
    """Refuse a file that is not there, is a folder or is empty: unusable input (exit 2), not
    a finding about its rows (README: exit codes)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnusableInput(f"{path}: no such file") from None
    except OSError as exc:
        raise UnusableInput(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if path.is_dir():
        raise UnusableInput(f"{path}: is a folder, not a CSV file")
    # Blank lines only are empty too (a small file is read to tell; prepare_import checks
    # the bytes it reads of any size).
    if size == 0 or (size < 4096 and not path.read_bytes().strip()):
        raise UnusableInput(f"{path}: the file is empty (no header row)")


def import_csv(
    path: Path | str,
    kind: str,
    settings: Settings | None = None,
    *,
    source_title: str | None = None,
    into: Path | str | None = None,
    store: str | None = None,
    token: str | None = None,
    private_register: bool = False,
) -> ImportResult:
    """Validate ``path`` as ``kind`` and write it ``into`` a Turtle file or a ``store``.

    With neither, the file is only checked. ``token`` authorises updates of a ``sparql:``
    store (default ``$CLUSTERKG_REMOTE_TOKEN``). ``private_register``: the file is an
    internal register, its source a ck:PrivateRegister and its supply links need no quote.
    Raises :class:`ImportFailed` (nothing written).
    """
    settings = settings or Settings.from_env()
    check_input_file(Path(path))  # before a store is opened (or made) for it
    into_path = Path(into) if into else None
    if into_path is not None and into_path.suffix.lower() != ".ttl":
        raise ImportFailed(Path(path), [RowError(0, "", str(into), "--into must be a .ttl file")])
    # One import at a time per target: the lock is held from the first read of the target
    # (the file is also the context the rows resolve against) to the write, so a second
    # import waits and then merges with the first's result instead of overwriting it.
    try:
        with import_lock(into_path, store):
            return _import_and_write(
                path,
                kind,
                settings,
                source_title=source_title,
                into=into_path,
                store=store,
                token=token,
                private_register=private_register,
            )
    except TargetBusy as exc:
        raise ImportFailed(Path(path), [RowError(0, "", "", str(exc))]) from None


def _import_and_write(
    path: Path | str,
    kind: str,
    settings: Settings,
    *,
    source_title: str | None,
    into: Path | None,
    store: str | None,
    token: str | None,
    private_register: bool,
) -> ImportResult:
    """:func:`import_csv`'s work once the target is locked: check, then write."""
    # A store that cannot be opened is unusable input (BackendError), not a problem of the rows.
    backend = open_backend(store, token=token) if store else None
    try:
        result = prepare_import(
            path,
            kind,
            settings,
            source_title=source_title,
            backend=backend,
            into=into,
            private_register=private_register,
        )
        write_result(result, into, backend)
        return result
    except (BackendError, LoadError, OSError) as exc:
        raise ImportFailed(Path(path), [RowError(0, "", "", str(exc))]) from None
    finally:
        if backend is not None:
            backend.close()  # releases an oxigraph:DIR folder for the caller to reopen
