"""One settings object for the whole tool: paths, store, limits and secrets.

Values come from defaults, then environment variables (``CLUSTERKG_*``), then explicit
arguments (CLI options or ``create_app(config)``), later ones winning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


def project_root() -> Path:
    """The folder holding ``ontology/``, ``graphs/`` and ``queries/``.

    ``CLUSTERKG_HOME`` wins; otherwise the source checkout this package was installed from.
    """
    env = os.environ.get("CLUSTERKG_HOME")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def sources_dir() -> Path:
    """The folder of the bundled source texts (``shared/seeds`` beside the checkout)."""
    env = os.environ.get("CLUSTERKG_SOURCES")
    if env:
        return Path(env).resolve()
    return project_root().parent / "shared" / "seeds"


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

    def bundled_paths(self) -> list[Path]:
        """The ontology folder and the curated graphs, in load order."""
        return [self.ontology_dir, self.graphs_dir]

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, overridden by ``CLUSTERKG_*`` variables, overridden by ``overrides``."""
        env: dict[str, object] = {}
        getenv = os.environ.get
        if getenv("CLUSTERKG_STORE"):
            env["store"] = getenv("CLUSTERKG_STORE")
        if getenv("CLUSTERKG_QUERY_TIMEOUT"):
            env["query_timeout"] = float(getenv("CLUSTERKG_QUERY_TIMEOUT", "10"))
        if getenv("CLUSTERKG_ROW_LIMIT"):
            env["row_limit"] = int(getenv("CLUSTERKG_ROW_LIMIT", "10000"))
        if getenv("CLUSTERKG_MAX_BODY_BYTES"):
            env["max_body_bytes"] = int(getenv("CLUSTERKG_MAX_BODY_BYTES", "1000000"))
        if getenv("CLUSTERKG_UPDATE_TOKEN"):
            env["update_token"] = getenv("CLUSTERKG_UPDATE_TOKEN")
        if getenv("CLUSTERKG_SERVICE_ALLOWLIST"):
            env["service_allowlist"] = tuple(
                s for s in getenv("CLUSTERKG_SERVICE_ALLOWLIST", "").split(",") if s
            )
        known = {f.name for f in fields(cls)}
        env.update({k: v for k, v in overrides.items() if k in known and v is not None})
        return replace(cls(), **env)  # type: ignore[arg-type]
