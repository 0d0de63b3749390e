"""One settings object for the whole tool: paths, store, limits and secrets.

Values come from defaults, then environment variables (``CLUSTERKG_*``), then explicit
arguments (CLI options or ``create_app(config)``), later ones winning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path

from clusterkg.errors import SettingsError

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
    env = os.environ.get("CLUSTERKG_HOME")
    return home_folder(env, "CLUSTERKG_HOME") if env else bundled_root()


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
    env = os.environ.get("CLUSTERKG_SOURCES")
    if env:
        return Path(env).resolve()
    return checkout_root().parent / "shared" / "seeds"


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
