"""Other layouts (several joined CSVs, JSON) through an RML or YARRRML mapping (extra ``rml``).

morph-kgc (https://morph-kgc.readthedocs.io/) materialises the mapping into triples; the
result then goes through the same checks as a CSV import: provenance for every subject,
SHACL over the merged result, and an atomic write. Install with ``pip install
'clusterkg[rml]'``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from clusterkg.config import Settings
from clusterkg.io.csv_import import (
    ImportFailed,
    ImportResult,
    context_engines,
    provenance,
    shacl_problems,
    write_into_file,
    write_into_store,
)
from clusterkg.io.csv_read import RowError
from clusterkg.io.references import Resolver, ontology_graph
from clusterkg.io.rows import Build, slug
from clusterkg.store.backends import BackendError, open_backend
from clusterkg.store.engine import QueryError
from clusterkg.store.loader import LoadError
from clusterkg.vocab import CK, GRAPH, ID


def available() -> bool:
    """True if morph-kgc is installed."""
    try:
        import morph_kgc  # noqa: F401
    except ImportError:
        return False
    return True


def materialise(mapping: Path) -> Graph:
    """The triples an RML/YARRRML mapping produces; sources resolve beside the mapping."""
    try:
        import morph_kgc
    except ImportError:
        raise ImportFailed(
            mapping,
            [RowError(0, "", "", "RML mappings need the extra: pip install 'clusterkg[rml]'")],
        ) from None
    config = f"[CONFIGURATION]\nlogging_level=ERROR\n[DataSource1]\nmappings={mapping.name}\n"
    logging.getLogger("morph_kgc").setLevel(logging.ERROR)
    with _cwd(mapping.parent):
        try:
            return morph_kgc.materialize(config)
        except Exception as exc:  # morph-kgc raises many kinds; all mean a bad mapping/source
            message = " ".join(str(exc).split())[:300] or type(exc).__name__
            raise ImportFailed(
                mapping, [RowError(0, "", "", f"the mapping failed: {message}")]
            ) from None


@contextlib.contextmanager
def _cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def import_mapping(
    mapping: Path | str,
    settings: Settings | None = None,
    *,
    source_title: str | None = None,
    into: Path | str | None = None,
    store: str | None = None,
) -> ImportResult:
    """Run ``mapping``, check the triples like a CSV import, and write them atomically."""
    settings = settings or Settings.from_env()
    mapping = Path(mapping).resolve()
    if not mapping.is_file():
        raise ImportFailed(mapping, [RowError(0, "", str(mapping), "no such mapping file")])
    into_path = Path(into) if into else None
    backend = None
    memory_kg = None
    try:
        backend = open_backend(store) if store else None
        produced = materialise(mapping)
        if len(produced) == 0:
            raise ImportFailed(mapping, [RowError(0, "", "", "the mapping produced no triples")])
        lines = sorted(produced.serialize(format="nt").splitlines())
        sha = hashlib.sha256(mapping.read_bytes() + "\n".join(lines).encode()).hexdigest()
        source = URIRef(ID[f"source/import-{sha[:16]}"])
        engines, memory_kg = context_engines(settings, backend, into_path)
        ontology = ontology_graph(settings)
        build = Build(Graph(), source, Resolver(engines, ontology))
        build.graph += produced
        for subject in set(produced.subjects()):
            if isinstance(subject, URIRef):
                build.row_of[str(subject)] = 0
                if (subject, PROV.wasDerivedFrom, None) not in produced:
                    build.graph.add((subject, PROV.wasDerivedFrom, source))
        provenance(
            build.graph,
            source,
            title=source_title or f"Import of {mapping.name}",
            file_name=mapping.name,
            sha256=sha,
            rows=len(produced),
            when=datetime.now(timezone.utc),
        )
        errors, status = shacl_problems(build, engines, settings, ontology)
        if errors:
            raise ImportFailed(mapping, errors)
        added: dict[str, int] = {}
        for _s, cls in produced.subject_objects(RDF.type):
            if str(cls).startswith(str(CK)):
                name = str(cls)[len(str(CK)) :]
                added[name] = added.get(name, 0) + 1
        graph_iri = (
            str(GRAPH[into_path.stem])
            if into_path is not None
            else str(GRAPH[f"import-{slug(mapping.stem)}-{sha[:8]}"])
        )
        result = ImportResult(
            mapping,
            "rml",
            build.graph,
            graph_iri,
            str(source),
            sha,
            len(produced),
            added,
            shacl=status,
        )
        if into_path is not None:
            write_into_file(result, into_path)
        elif backend is not None:
            write_into_store(result, backend)
        return result
    except (BackendError, LoadError, OSError, QueryError) as exc:
        raise ImportFailed(mapping, [RowError(0, "", "", str(exc))]) from None
    finally:
        if memory_kg is not None:
            memory_kg.close()
        if backend is not None:
            backend.close()
