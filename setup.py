"""Build hook: ship the top-level ``ontology/``, ``graphs/`` and ``queries/`` inside the package.

The folders stay at the top of the repository, where they are edited and reviewed; a built
wheel (and so ``pip install .``, ``pipx install .``) carries a copy in ``clusterkg/data/``,
which :func:`clusterkg.config.bundled_root` finds through ``importlib.resources``. An editable
install copies nothing: the checkout's own folders are used directly, so an edit shows at once.

Every build, editable or not, also builds the query page's editor (YASGUI, from npm with the
lockfile: ``npm ci && npm run build``, see frontend/build.mjs) into
``src/clusterkg/web/static/vendor/`` (git-ignored), so a wheel carries it and needs no Node at
install. All other metadata is in pyproject.toml.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# The same names as clusterkg.config.DATA_FOLDERS (the build cannot import the package).
DATA_FOLDERS = ("ontology", "graphs", "queries")
VENDOR = HERE / "src" / "clusterkg" / "web" / "static" / "vendor"
FRONTEND_INPUTS = ("package.json", "package-lock.json", "frontend/build.mjs")


def build_frontend() -> None:
    """``npm ci && npm run build`` unless the bundle in ``VENDOR`` is newer than its inputs.

    A source tree without ``package.json`` (an sdist built elsewhere) keeps the bundle it has.
    """
    inputs = [HERE / name for name in FRONTEND_INPUTS]
    if not all(p.exists() for p in inputs):
        if (VENDOR / "yasgui.js").exists():
            return
        raise SystemExit(f"cannot build clusterkg: no package.json/frontend at {HERE}")
    stamp = VENDOR / "VERSION"
    if stamp.exists() and stamp.stat().st_mtime >= max(p.stat().st_mtime for p in inputs):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("cannot build clusterkg: the query editor needs Node 20 and npm on PATH")
    for step in (["ci", "--no-audit", "--no-fund"], ["run", "build"]):
        done = subprocess.run([npm, *step], cwd=HERE, check=False)
        if done.returncode != 0:
            raise SystemExit(f"cannot build clusterkg: 'npm {' '.join(step)}' failed")


class BuildWithData(build_py):
    """``build_py`` that also copies the data folders to ``<build_lib>/clusterkg/data``."""

    def run(self) -> None:
        # Before build_py lists the package data, so the bundle is part of it.
        build_frontend()
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "clusterkg" / "data"
        # A previous build's copy may hold files since deleted from the repository.
        shutil.rmtree(target, ignore_errors=True)
        for name in DATA_FOLDERS:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"cannot build clusterkg: the {name}/ folder is missing at {HERE}")
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(".*", "*~"))


setup(cmdclass={"build_py": BuildWithData})
