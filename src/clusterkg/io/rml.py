"""Other layouts (several joined CSVs, JSON) through an RML or YARRRML mapping.

morph-kgc (https://morph-kgc.readthedocs.io/) materialises the mapping into triples; the
result then goes through the same checks as a CSV import: provenance for every subject,
SHACL over the merged result, and an atomic write.

morph-kgc pins ``rdflib<7.3`` and ``pyoxigraph<0.4`` (2.10.0), older than clusterkg's store
needs (pyoxigraph 0.5), so installing it beside clusterkg would downgrade and break the core.
It therefore runs in a virtualenv of its own, made once by :func:`setup_venv` (``clusterkg
rml-setup``): a subprocess runs :mod:`clusterkg.io.rml_runner` there, which writes N-Triples
to a temporary file that this process parses and validates.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import venv
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from clusterkg.config import Settings
from clusterkg.errors import UnusableInput
from clusterkg.io.atomic import TargetBusy, import_lock
from clusterkg.io.csv_import import (
    ImportFailed,
    ImportResult,
    context_engines,
    provenance,
    shacl_problems,
    write_result,
)
from clusterkg.io.csv_read import RowError
from clusterkg.io.references import Resolver, ontology_graph
from clusterkg.io.rml_runner import MARKER
from clusterkg.io.rows import Build, slug
from clusterkg.store.backends import BackendError, open_backend
from clusterkg.store.graph_files import LoadError
from clusterkg.store.query_engine import QueryError
from clusterkg.vocab import CK, GRAPH, ID

#: What :func:`setup_venv` installs into the RML environment.
MORPH_KGC = "morph-kgc>=2.8,<3"
RUNNER = Path(__file__).with_name("rml_runner.py")


class RmlSetupFailed(UnusableInput):
    """The RML environment could not be made (no network, no venv module, pip failed)."""


def default_venv() -> Path:
    """Where the RML environment lives: ``$CLUSTERKG_RML_VENV``, else
    ``$CLUSTERKG_CACHE/rml-venv``, else ``~/.cache/clusterkg/rml-venv`` (see :mod:`config`)."""
    return Settings.from_env().rml_venv_dir


def venv_python(env_dir: Path) -> Path:
    """The Python interpreter of a virtualenv folder."""
    if os.name == "nt":
        return env_dir / "Scripts" / "python.exe"
    return env_dir / "bin" / "python"


def _clean_env() -> dict[str, str]:
    # The RML environment must see only its own packages, not clusterkg's.
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def ready(env_dir: Path | None = None) -> bool:
    """True if the RML environment exists and imports morph-kgc."""
    python = venv_python(env_dir or default_venv())
    if not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import morph_kgc"],
        capture_output=True,
        env=_clean_env(),
        timeout=120,
    )
    return probe.returncode == 0


def setup_venv(env_dir: Path | None = None, *, log=print) -> Path:
    """Make (or reuse) the RML virtualenv with morph-kgc; return its folder.

    Idempotent: an environment that already imports morph-kgc is kept as it is; a half-made
    one (an interrupted setup) is completed by running pip again.
    """
    env_dir = env_dir or default_venv()
    if ready(env_dir):
        log(f"RML environment ready: {env_dir}")
        return env_dir
    python = venv_python(env_dir)
    if not python.exists():
        log(f"creating the RML environment in {env_dir}")
        try:
            venv.EnvBuilder(with_pip=True, clear=env_dir.exists()).create(env_dir)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise RmlSetupFailed(f"cannot create a virtualenv in {env_dir}: {exc}") from None
    log(f"installing {MORPH_KGC} (a minute or two the first time)")
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", MORPH_KGC],
        capture_output=True,
        text=True,
        env=_clean_env(),
    )
    if pip.returncode != 0 or not ready(env_dir):
        tail = " ".join((pip.stderr or pip.stdout).split()[-60:])
        raise RmlSetupFailed(f"pip could not install {MORPH_KGC} into {env_dir}: {tail}")
    log(f"RML environment ready: {env_dir}")
    return env_dir


def materialise(mapping: Path, env_dir: Path | None = None) -> Graph:
    """The triples an RML/YARRRML mapping produces; sources resolve beside the mapping."""
    env_dir = env_dir or default_venv()
    python = venv_python(env_dir)
    if not python.exists():
        raise ImportFailed(
            mapping,
            [
                RowError(
                    0,
                    "",
                    "",
                    "RML mappings run morph-kgc in an environment of its own; make it once "
                    f"with: clusterkg rml-setup (it goes to {env_dir})",
                )
            ],
        )
    with tempfile.TemporaryDirectory(prefix="clusterkg-rml-") as tmp:
        out = Path(tmp) / "out.nt"
        run = subprocess.run(
            [str(python), str(RUNNER), str(mapping), str(out)],
            capture_output=True,
            text=True,
            env=_clean_env(),
        )
        if run.returncode != 0 or not out.exists():
            marked = [ln for ln in run.stderr.splitlines() if ln.startswith(MARKER)]
            reason = (
                marked[0][len(MARKER) :].strip()
                if marked
                else f"morph-kgc stopped with exit status {run.returncode}"
            )
            if "No module named 'morph_kgc'" in run.stderr:
                reason = "morph-kgc is missing from the RML environment: run clusterkg rml-setup"
            raise ImportFailed(mapping, [RowError(0, "", "", reason)])
        graph = Graph()
        try:
            graph.parse(out, format="nt")
        except Exception as exc:  # rdflib raises several kinds for bad N-Triples
            raise ImportFailed(
                mapping, [RowError(0, "", "", f"morph-kgc wrote unreadable N-Triples: {exc}")]
            ) from None
        return graph


def import_mapping(
    mapping: Path | str,
    settings: Settings | None = None,
    *,
    source_title: str | None = None,
    into: Path | str | None = None,
    store: str | None = None,
    token: str | None = None,
) -> ImportResult:
    """Run ``mapping``, check the triples like a CSV import, and write them atomically."""
    settings = settings or Settings.from_env()
    mapping = Path(mapping).resolve()
    if not mapping.is_file():
        raise ImportFailed(mapping, [RowError(0, "", str(mapping), "no such mapping file")])
    into_path = Path(into) if into else None
    # morph-kgc runs first, without the lock: it reads only the mapping's own sources.
    try:
        produced = materialise(mapping)
    except OSError as exc:
        raise ImportFailed(mapping, [RowError(0, "", "", str(exc))]) from None
    if len(produced) == 0:
        raise ImportFailed(mapping, [RowError(0, "", "", "the mapping produced no triples")])
    # One import at a time per target, as for CSV: held from the first read of the target
    # (the context the triples are checked against) to the write, so a second import into
    # the same file or store waits and then adds to the first's result (or is refused).
    try:
        with import_lock(into_path, store):
            return _check_and_write(
                mapping,
                produced,
                settings,
                source_title=source_title,
                into=into_path,
                store=store,
                token=token,
            )
    except TargetBusy as exc:
        raise ImportFailed(mapping, [RowError(0, "", "", str(exc))]) from None


def _check_and_write(
    mapping: Path,
    produced: Graph,
    settings: Settings,
    *,
    source_title: str | None,
    into: Path | None,
    store: str | None,
    token: str | None,
) -> ImportResult:
    """:func:`import_mapping`'s work once the target is locked: check, then write."""
    # A store that cannot be opened is unusable input (BackendError), not a problem of the rows.
    backend = open_backend(store, token=token) if store else None
    memory_kg = None
    try:
        lines = sorted(produced.serialize(format="nt").splitlines())
        sha = hashlib.sha256(mapping.read_bytes() + "\n".join(lines).encode()).hexdigest()
        source = URIRef(ID[f"source/import-{sha[:16]}"])
        engines, memory_kg = context_engines(settings, backend, into)
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
            str(GRAPH[into.stem])
            if into is not None
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
        write_result(result, into, backend)
        return result
    except (BackendError, LoadError, OSError, QueryError) as exc:
        raise ImportFailed(mapping, [RowError(0, "", "", str(exc))]) from None
    finally:
        if memory_kg is not None:
            memory_kg.close()
        if backend is not None:
            backend.close()
