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
    "CLUSTERKG_HOME": ("root", _path),
    "CLUSTERKG_SOURCES": ("sources", _path),
    "CLUSTERKG_STORE": ("store", _text),
    "CLUSTERKG_QUERY_TIMEOUT": ("query_timeout", _number),
    "CLUSTERKG_ROW_LIMIT": ("row_limit", _whole),
    "CLUSTERKG_MAX_BODY_BYTES": ("max_body_bytes", _whole),
    "CLUSTERKG_UPDATE_TOKEN": ("update_token", _text),
    "CLUSTERKG_SERVICE_ALLOWLIST": ("service_allowlist", _list),
    "CLUSTERKG_WORKERS": ("workers", _whole),
    "CLUSTERKG_REMOTE_TOKEN": ("remote_token", _text),
    "CLUSTERKG_CACHE": ("cache_dir", _path),
    "CLUSTERKG_RML_VENV": ("rml_venv", _path),
    "CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT": ("pause_before_commit", _number),
}

#: Lower bounds of the numeric fields (a limit of 0 or less would refuse or hang everything).
_AT_LEAST: dict[str, tuple[float, bool]] = {
    # field: (bound, bound allowed)
    "query_timeout": (0.0, False),
    "row_limit": (1, True),
    "max_body_bytes": (1, True),
    "workers": (1, True),
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


def project_root() -> Path:
    """The folder holding ``ontology/``, ``graphs/`` and ``queries/``.

    ``CLUSTERKG_HOME`` wins; otherwise the source checkout this package was installed from.
    """
    return _env("CLUSTERKG_HOME") or Path(__file__).resolve().parents[2]


def sources_dir() -> Path:
    """The folder of the bundled source texts (``shared/seeds`` beside the checkout)."""
    return _env("CLUSTERKG_SOURCES") or project_root().parent / "shared" / "seeds"


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
    row_limit: int = 10_000
    max_body_bytes: int = 1_000_000
    update_token: str | None = None
    service_allowlist: tuple[str, ...] = ()
    #: Query worker processes of the web app.
    workers: int = 4
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
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graphs_dir(self) -> Path:
        return self.root / "graphs"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def sources_dir(self) -> Path:
        return self.sources or self.root.parent / "shared" / "seeds"

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
