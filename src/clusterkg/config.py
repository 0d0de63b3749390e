"""One settings object for the whole tool: paths, store, limits, secrets and folders.

Values come from defaults, then environment variables (``CLUSTERKG_*``), then explicit
arguments (CLI options or ``create_app(config)``), later ones winning. This module is the only
place that reads the environment: every other module takes a :class:`Settings` (or calls
:meth:`Settings.from_env`). A value that cannot be used raises
:class:`~clusterkg.errors.SettingsError` naming the variable (or field) and the value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from clusterkg.errors import SettingsError


def _path(text: str) -> Path:
    return Path(text).expanduser().resolve()


def _text(text: str) -> str:
    return text


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _whole(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("not a whole number") from None


def _list(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


#: Each ``CLUSTERKG_*`` variable: the Settings field it sets and how its text is parsed.
#: README.md's configuration table documents the same list.
VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "CLUSTERKG_HOME": ("root", lambda text: home_folder(text, "CLUSTERKG_HOME")),
    "CLUSTERKG_SOURCES": ("sources", _path),
    "CLUSTERKG_STORE": ("store", _text),
    "CLUSTERKG_QUERY_TIMEOUT": ("query_timeout", _number),
    "CLUSTERKG_GENERATE_TIMEOUT": ("generate_timeout", _number),
    "CLUSTERKG_ROW_LIMIT": ("row_limit", _whole),
    "CLUSTERKG_RESULT_MAX_BYTES": ("result_max_bytes", _whole),
    "CLUSTERKG_MAX_BODY_BYTES": ("max_body_bytes", _whole),
    "CLUSTERKG_UPDATE_TOKEN": ("update_token", _text),
    "CLUSTERKG_SERVICE_ALLOWLIST": ("service_allowlist", _list),
    "CLUSTERKG_WORKERS": ("workers", _whole),
    "CLUSTERKG_PROCESSES": ("processes", _whole),
    "CLUSTERKG_CONNECTION_LIMIT": ("connection_limit", _whole),
    "CLUSTERKG_CLIENT_CONNECTIONS": ("client_connections", _whole),
    "CLUSTERKG_HEADER_TIMEOUT": ("header_timeout", _number),
    "CLUSTERKG_IDLE_TIMEOUT": ("idle_timeout", _number),
    "CLUSTERKG_CLIENT_CONCURRENCY": ("client_concurrency", _whole),
    "CLUSTERKG_QUEUE_WAIT": ("queue_wait", _number),
    "CLUSTERKG_WORKER_MEMORY_MB": ("worker_memory_mb", _whole),
    "CLUSTERKG_EXPLORER_MAX_NODES": ("explorer_max_nodes", _whole),
    "CLUSTERKG_EXPLORER_MAX_EDGES": ("explorer_max_edges", _whole),
    "CLUSTERKG_ANALYSIS_MAX_NODES": ("analysis_max_nodes", _whole),
    "CLUSTERKG_ANALYSIS_MAX_EDGES": ("analysis_max_edges", _whole),
    "CLUSTERKG_REMOTE_TOKEN": ("remote_token", _text),
    "CLUSTERKG_CACHE": ("cache_dir", _path),
    "CLUSTERKG_RML_VENV": ("rml_venv", _path),
    "CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT": ("pause_before_commit", _number),
}

#: Lower bounds of the numeric fields (a limit of 0 or less would refuse or hang everything).
_AT_LEAST: dict[str, tuple[float, bool]] = {
    # field: (bound, bound allowed)
    "query_timeout": (0.0, False),
    "generate_timeout": (0.0, False),
    "row_limit": (1, True),
    "result_max_bytes": (1024, True),
    "max_body_bytes": (1, True),
    "workers": (1, True),
    "processes": (1, True),
    "connection_limit": (1, True),
    "client_connections": (1, True),
    "header_timeout": (0.0, False),
    "idle_timeout": (1.0, True),
    "client_concurrency": (1, True),
    "queue_wait": (0.0, True),
    "worker_memory_mb": (16, True),
    "explorer_max_nodes": (1, True),
    "explorer_max_edges": (1, True),
    "analysis_max_nodes": (1, True),
    "analysis_max_edges": (1, True),
    "pause_before_commit": (0.0, True),
}


def _env(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The parsed value of variable ``name``, or None when it is unset or empty."""
    text = (os.environ if environ is None else environ).get(name)
    if not text:
        return None
    field_name, parse = VARIABLES[name]
    try:
        value = parse(text)
    except ValueError as exc:
        raise SettingsError(f"{name}={text!r}: {exc}") from None
    _check_range(field_name, value, f"{name}={text!r}")
    return value


def _check_range(field_name: str, value: Any, where: str) -> None:
    if field_name not in _AT_LEAST or value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(f"{where}: not a number")
    bound, inclusive = _AT_LEAST[field_name]
    if value < bound or (value == bound and not inclusive):
        relation = "at least" if inclusive else "more than"
        raise SettingsError(f"{where}: must be {relation} {bound:g}")


#: The data folders a project holds; a built package carries a copy of each (see setup.py).
DATA_FOLDERS = ("ontology", "graphs", "queries")


def checkout_root() -> Path:
    """The top of the source tree this module sits in (``src/clusterkg/config.py``)."""
    return Path(__file__).resolve().parents[2]


def bundled_root() -> Path:
    """The folder holding the bundled ``ontology/``, ``graphs/`` and ``queries/``.

    An installed package (wheel, ``pip install .``, ``pipx``) carries them in
    ``clusterkg/data/``, found through :mod:`importlib.resources`; a source checkout (an
    editable install) has no such folder and uses its top-level folders directly.
    """
    packaged = resources.files("clusterkg") / "data"
    # Wheels are always unpacked onto the file system, so the resource is a real folder; the
    # store and the validator read files by path, which a zipped resource could not give.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return checkout_root()


def project_root() -> Path:
    """The user's project folder: ``CLUSTERKG_HOME`` if set, otherwise the bundled data.

    How a home's folders combine with the bundled ones: see :class:`Settings` (``*_dir``).
    """
    return _env("CLUSTERKG_HOME") or bundled_root()


def home_folder(path: str | Path, given_as: str) -> Path:
    """``path`` as a project folder; :class:`SettingsError` naming ``given_as`` (the variable
    or argument it came from) if it is not a folder or holds none of the data folders."""
    home = Path(path).expanduser().resolve()
    if not home.is_dir():
        raise SettingsError(f"{given_as}={path}: no such folder")
    if not any((home / name).is_dir() for name in DATA_FOLDERS):
        raise SettingsError(
            f"{given_as}={path}: the folder holds none of {', '.join(f'{n}/' for n in DATA_FOLDERS)}"
        )
    return home


def sources_dir() -> Path:
    """The folder of the source texts (only the quote tests read them).

    ``CLUSTERKG_SOURCES`` wins; otherwise ``shared/seeds`` beside the source checkout. They are
    not shipped in the package.
    """
    return _env("CLUSTERKG_SOURCES") or checkout_root().parent / "shared" / "seeds"


def default_cache_dir() -> Path:
    """``$CLUSTERKG_CACHE``, else ``$XDG_CACHE_HOME/clusterkg``, else ``~/.cache/clusterkg``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    return _env("CLUSTERKG_CACHE") or (Path(xdg) if xdg else Path.home() / ".cache") / "clusterkg"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with safe defaults (read-only, limited, no federation)."""

    root: Path = field(default_factory=project_root)
    store: str = "memory"
    data: tuple[Path, ...] = ()
    load_bundled: bool = True
    query_timeout: float = 10.0
    #: Seconds the server's one-off generation of the synthetic network may take (5-7 s of
    #: one core on the bundled graph, too close to the query limit on a slow or loaded
    #: machine). It runs once per state of the store and graph selection, single flight, with
    #: the seed and scale fixed, so no client can make it run again at will.
    generate_timeout: float = 60.0
    row_limit: int = 10_000
    #: Bytes of one query result's body (a single huge literal passes any row limit).
    result_max_bytes: int = 50_000_000
    max_body_bytes: int = 1_000_000
    update_token: str | None = None
    service_allowlist: tuple[str, ...] = ()
    #: Query worker processes of the web app (of each server process).
    workers: int = 4
    #: Server processes of ``clusterkg serve`` sharing the listening socket, each with its
    #: own ``workers`` (more than 1 needs a store every process sees the same: oxigraph:DIR,
    #: sparql:URL, or the memory store without updates).
    processes: int = 1
    #: Open connections the HTTP server keeps (``clusterkg serve``; docs/http-api.md).
    connection_limit: int = 1000
    #: Open connections one client (remote address) may hold; more are closed on accept.
    client_connections: int = 100
    #: Seconds a request may take to send its headers (from its first byte, or the connect).
    header_timeout: float = 5.0
    #: Seconds a connection may stay idle between requests.
    idle_timeout: float = 30.0
    #: Requests one client may have running at once (None: one less than ``workers``, at
    #: least 1, so that one client cannot hold every worker).
    client_concurrency: int | None = None
    #: Seconds a request waits for its turn when the client or the server is at its cap,
    #: before it is answered 429 or 503.
    queue_wait: float = 2.0
    #: Memory (MB) one query worker may use beyond what it inherits at its fork (None: the
    #: default of :func:`clusterkg.store.workers.default_memory_mb`).
    worker_memory_mb: int | None = None
    #: The largest graph the explorer lays out (a larger view is refused with 422).
    explorer_max_nodes: int = 2_000
    explorer_max_edges: int = 5_000
    #: The largest supply network the server analyses for a request (scenarios, resilience,
    #: centrality, the generated synthetic network; a larger one is refused with 422).
    analysis_max_nodes: int = 50_000
    analysis_max_edges: int = 200_000
    #: Bearer token sent with updates to a ``sparql:`` store.
    remote_token: str | None = None
    #: The bundled source texts the quote check reads (None: ``shared/seeds`` beside the root).
    sources: Path | None = None
    #: Generated files (ontology pages, the RML environment).
    cache_dir: Path = field(default_factory=default_cache_dir)
    #: The RML environment (None: ``cache_dir/rml-venv``).
    rml_venv: Path | None = None
    #: Test hook: seconds an atomic write waits just before its commit step.
    pause_before_commit: float = 0.0

    def __post_init__(self) -> None:
        for name in _AT_LEAST:
            _check_range(name, getattr(self, name), f"{name}={getattr(self, name)!r}")

    @property
    def client_share(self) -> int:
        """Requests one client may have running at once (``client_concurrency`` or its
        default, one less than the workers)."""
        return self.client_concurrency or max(1, self.workers - 1)

    def _folder(self, name: str) -> Path:
        """``root/name`` if the project folder has it, else the bundled one."""
        own = self.root / name
        return own if own.is_dir() else bundled_root() / name

    @property
    def ontology_dir(self) -> Path:
        """The ontology and shapes: the project's ``ontology/`` replaces the bundled one."""
        return self._folder("ontology")

    @property
    def graphs_dir(self) -> Path:
        """The curated graphs: the project's ``graphs/`` replaces the bundled ones (to add
        files to the bundled graphs instead, pass them as ``data``)."""
        return self._folder("graphs")

    @property
    def queries_dir(self) -> Path:
        """The folder of the project's own named queries (the bundled one if it has none)."""
        return self._folder("queries")

    @property
    def query_dirs(self) -> tuple[Path, ...]:
        """Where named queries come from, in order: the bundled ``queries/``, then the
        project's, whose queries add to the bundled ones and replace those of the same name."""
        bundled = bundled_root() / "queries"
        own = self.queries_dir
        return (own,) if own.resolve() == bundled.resolve() else (bundled, own)

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def sources_dir(self) -> Path:
        return self.sources or checkout_root().parent / "shared" / "seeds"

    @property
    def rml_venv_dir(self) -> Path:
        return self.rml_venv or self.cache_dir / "rml-venv"

    def bundled_paths(self) -> list[Path]:
        """The ontology folder and the curated graphs, in load order."""
        return [self.ontology_dir, self.graphs_dir]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, /, **overrides: object) -> Settings:
        """Defaults, overridden by ``CLUSTERKG_*`` variables, overridden by ``overrides``.

        ``environ`` defaults to :data:`os.environ`; ``overrides`` that are None or not a field
        are ignored. Raises :class:`~clusterkg.errors.SettingsError` for an unusable value.
        """
        values: dict[str, Any] = {}
        for name, (field_name, _parse) in VARIABLES.items():
            value = _env(name, environ)
            if value is not None:
                values[field_name] = value
        known = {f.name for f in fields(cls)}
        values.update({k: v for k, v in overrides.items() if k in known and v is not None})
        return replace(cls(), **values)
